import { cacheEvidence } from './judge/build-cache.js';
import { writesGithubEnv } from './judge/execution.js';
import { jobSecretRefs } from './judge/secrets.js';
import { privilegedTriggerContexts } from './judge/triggers.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepAction, stepInput, stepsDeep } from '../../workflows/steps.js';
import { mayRun } from '../../workflows/conditions.js';
import type { Step } from '../../workflows/model.js';
import { defineRule } from '../define-rule.js';

/** Whether a step downloads artifacts produced by another workflow run. */
function crossRunDownload(step: Step): boolean {
  const name = stepAction(step);
  if (name === 'dawidd6/action-download-artifact') return true;
  if (name === 'actions/download-artifact') return stepInput(step, 'run-id') !== undefined;
  return step.run !== undefined && /\bgh\s+run\s+download\b/.test(step.run.text);
}

export default defineRule<
  WorkflowAuditInput,
  'envFromArtifact' | 'privilegedConsumer' | 'cacheInPrivileged'
>({
  id: 'ci/artifact-poisoning',
  title: 'Artifacts of an untrusted run consumed by a privileged job',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: [] },
  policy: 'PyTorch P4 (CI artifacts must not run where secrets are, nor be published)',
  messages: {
    envFromArtifact:
      'This job downloads artifacts of another run under `{{trigger}}` and writes to GITHUB_ENV/GITHUB_PATH; a PR that controls the artifact controls the environment of every later step. Treat artifact content as data: validate it and never export it.',
    cacheInPrivileged:
      "This job uses a cache ({{what}}) under `{{trigger}}`, which runs in the base branch's cache scope: a run that handles outsider input can write entries that default-branch and release builds later restore. Do not cache in privileged workflows.",
    privilegedConsumer:
      'This job downloads artifacts of another run under `{{trigger}}` and holds {{what}}; a PR run can plant files that this job then trusts. Consume untrusted artifacts only in jobs without secrets or write permissions.',
  },
  check(ctx, input) {
    const triggers = privilegedTriggerContexts(input.workflow);
    if (triggers.length === 0) return;
    for (const job of input.workflow.jobs) {
      const trigger = triggers.find((t) => mayRun(job.if, t.ctx))?.node;
      if (trigger === undefined) continue;
      const steps = stepsDeep(job);
      for (const deep of steps) {
        const cache = cacheEvidence(deep.step);
        if (cache === undefined) continue;
        ctx.report({
          messageId: 'cacheInPrivileged',
          data: { what: cache.what, trigger: trigger.text },
          at: deep.step === deep.at ? { span: cache.span, path: cache.path } : at(deep.at.node),
          severity: 'medium',
        });
        break;
      }
      const download = steps.find((d) => crossRunDownload(d.step));
      if (download === undefined) continue;
      const later = steps.slice(steps.indexOf(download) + 1);
      const envWrite = later.find(
        (d) => d.step.run !== undefined && writesGithubEnv(d.step.run.text),
      );
      const where = at(download.at.uses ?? download.at.node);
      if (envWrite !== undefined) {
        ctx.report({
          messageId: 'envFromArtifact',
          data: { trigger: trigger.text },
          at: where,
          related: [at(envWrite.at.run ?? envWrite.at.node, 'environment written here')],
        });
        continue;
      }
      const secret = jobSecretRefs(job, input.workflow.text)[0];
      if (secret !== undefined) {
        ctx.report({
          messageId: 'privilegedConsumer',
          data: { trigger: trigger.text, what: `secret \`${secret.name}\`` },
          at: where,
          related: [{ span: secret.span, path: secret.scalar.path, label: 'secret' }],
        });
      }
    }
  },
});
