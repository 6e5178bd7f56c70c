import { describeRunner, effectiveJobs, jobAnchor, runnerAnchor } from './judge/effective-jobs.js';
import { mergeEvidence } from './judge/publishing.js';
import { runnerConfidence } from './judge/runners.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { hasEnvironment } from '../../workflows/steps.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'persistentRunner' | 'noEnvironment'>({
  id: 'ci/merge-job-hardening',
  title: 'Merge bot job not isolated',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: [] },
  policy: 'PyTorch P3 (merge actions only on ephemeral runners, in a dedicated environment), P2',
  messages: {
    persistentRunner:
      'Job `{{job}}` merges pull requests ({{what}}) on {{runner}}; an earlier job on that machine can hijack the merge token. Run merge jobs on ephemeral runners.',
    noEnvironment:
      'Job `{{job}}` merges pull requests ({{what}}) without `environment:`; its token is then a repository secret any workflow can read. Give the merge bot a dedicated, branch-restricted environment.',
  },
  check(ctx, input) {
    for (const effective of effectiveJobs(input)) {
      const evidence = mergeEvidence(effective.job);
      if (evidence === undefined) continue;
      const related = effective.via === undefined ? [{ ...at(evidence), label: 'merge step' }] : [];
      if (effective.runner.kind === 'persistent') {
        ctx.report({
          messageId: 'persistentRunner',
          data: {
            job: effective.job.id,
            what: evidence.what,
            runner: describeRunner(effective.runner),
          },
          at: runnerAnchor(effective),
          related,
          confidence: runnerConfidence(effective.runner),
        });
      }
      if (!hasEnvironment(effective.job)) {
        ctx.report({
          messageId: 'noEnvironment',
          data: { job: effective.job.id, what: evidence.what },
          at: jobAnchor(effective),
          related,
        });
      }
    }
  },
});
