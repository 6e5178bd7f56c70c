import type { RepoSnapshot } from '../../github/snapshot.js';
import { itemsOf, namesIn, str } from '../../github/snapshot.js';
import { describeRunner } from '../ci/judge/effective-jobs.js';
import type { RunnerClass } from '../ci/judge/runners.js';
import { jobSecretRefs } from '../ci/judge/secrets.js';
import { defineRule } from '../define-rule.js';
import { environmentName, fileLine, repoJobs } from './jobs.js';
import { atRead } from './locate.js';

// Reports per secret: a secret used by hundreds of jobs is one problem, named with its first uses.
const MAX_PER_SECRET = 1;

export default defineRule<RepoSnapshot, 'persistent'>({
  id: 'repo/secrets-on-persistent-runner',
  title: 'Repository secret used by a job on a persistent runner',
  target: 'github',
  severity: 'high',
  confidence: 'medium',
  policy: 'PyTorch P6 (non-ephemeral runners can be taken over: no repository secrets there)',
  messages: {
    persistent:
      'Repository secret `{{name}}` is used by job `{{job}}` ({{where}}), which runs on {{runner}}: whoever took over that machine in an earlier job reads it. Move the job to an ephemeral runner, or the secret into an environment that job alone uses (Settings → Secrets and variables → Actions).',
  },
  check(ctx, snapshot) {
    if (snapshot.secrets.state !== 'ok') return;
    const secrets = itemsOf(snapshot.secrets);
    const index = new Map<string, number>();
    secrets.forEach((s, i) => {
      const name = str(s, 'name');
      if (name !== undefined) index.set(name.toUpperCase(), i);
    });
    const envSecrets = new Map(
      snapshot.environmentDetails.map((d) => [
        d.name.toLowerCase(),
        new Set(namesIn(d.secrets).map((n) => n.toUpperCase())),
      ]),
    );
    const counts = new Map<string, number>();
    for (const { workflow, effective } of repoJobs(snapshot)) {
      if (effective.runner.kind !== 'persistent') continue;
      const env = environmentName(effective.job).environment?.toLowerCase();
      const shadow = env === undefined ? undefined : envSecrets.get(env);
      for (const ref of jobSecretRefs(effective.job, effective.workflow.text)) {
        const i = index.get(ref.name);
        // An environment secret of the same name wins over the repository secret in that job.
        if (i === undefined || shadow?.has(ref.name) === true) continue;
        const n = counts.get(ref.name) ?? 0;
        if (n >= MAX_PER_SECRET) continue;
        counts.set(ref.name, n + 1);
        const where =
          effective.via === undefined
            ? fileLine(workflow, ref.span.start)
            : `${fileLine(effective.workflow, ref.span.start)}, called from ${fileLine(workflow, effective.via.key.span.start)}`;
        ctx.report({
          messageId: 'persistent',
          data: {
            name: ref.name,
            job: effective.job.id,
            where,
            runner: describe(effective.runner),
          },
          at: atRead(snapshot.secrets, [i, 'name']),
        });
      }
    }
  },
});

// The inventory here comes from the repository's registered runners, not from torchward.yml.
function describe(runner: RunnerClass): string {
  return runner.reason === 'config'
    ? `\`${runner.labels}\` (a registered self-hosted runner that is not ephemeral)`
    : describeRunner(runner);
}
