import { cacheEvidence, envCacheEvidence } from './judge/build-cache.js';
import { effectiveJobs, jobAnchor } from './judge/effective-jobs.js';
import { releaseJobs } from './judge/publishing.js';
import type { Evidence } from './judge/publishing.js';
import { isReleaseWorkflow, releaseContexts } from './judge/triggers.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepsDeep } from '../../workflows/steps.js';
import { mayRun } from '../../workflows/conditions.js';
import type { WorkflowModel } from '../../workflows/model.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'cache'>({
  id: 'ci/release-build-cache',
  title: 'Release build restores a cache',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: ['cache-poisoning'] },
  policy: 'PyTorch P8 (release builds cold-start), P4 (caches are poisonable)',
  messages: {
    cache:
      'Job `{{job}}` is a release job ({{why}}) and uses a build cache ({{what}}); any earlier run that could write the cache can poison the release. Build releases from a cold start.',
  },
  check(ctx, input) {
    const roles = new Map<WorkflowModel, Map<string, string>>();
    const release = isReleaseWorkflow(input.workflow);
    // Cache toggles and step conditions are evaluated under every release trigger of the audited
    // workflow (a called workflow runs under its caller's event).
    const contexts = releaseContexts(input.workflow);
    for (const effective of effectiveJobs(input)) {
      let map = roles.get(effective.workflow);
      if (map === undefined) {
        map = releaseJobs(effective.workflow);
        roles.set(effective.workflow, map);
      }
      // A job of a release-triggered workflow that may run under a release trigger restores its
      // cache into that run even when it builds nothing itself (a toolchain set up with its cache
      // on, as zizmor's cache-poisoning counts): the release run trusts what it restores.
      const why =
        map.get(effective.job.id) ??
        (effective.via !== undefined && release ? 'called from a release workflow' : undefined) ??
        (effective.via === undefined && contexts.some((c) => mayRun(effective.job.if, c))
          ? 'it runs under a release trigger'
          : undefined);
      if (why === undefined) continue;
      let found: { evidence: Evidence; span: Evidence['span']; path: Evidence['path'] } | undefined;
      const env = envCacheEvidence(effective.workflow.env) ?? envCacheEvidence(effective.job.env);
      if (env !== undefined) found = { evidence: env, span: env.span, path: env.path };
      for (const deep of stepsDeep(effective.job)) {
        if (found !== undefined) break;
        // A step of the job's own file: its text holds a SHA pin's version comment.
        const text = deep.step === deep.at ? effective.workflow.text : undefined;
        const evidence = cacheEvidence(deep.step, contexts, text);
        if (evidence === undefined) continue;
        const target = deep.step === deep.at ? evidence : at(deep.at.node);
        found = { evidence, span: target.span, path: target.path };
      }
      if (found === undefined) continue;
      const where =
        effective.via === undefined ? { span: found.span, path: found.path } : jobAnchor(effective);
      ctx.report({
        messageId: 'cache',
        data: { job: effective.job.id, why, what: found.evidence.what },
        at: where,
      });
    }
  },
});
