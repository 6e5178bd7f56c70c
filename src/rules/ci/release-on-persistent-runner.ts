import { describeRunner, effectiveJobs, runnerAnchor } from './judge/effective-jobs.js';
import { releaseJobs } from './judge/publishing.js';
import { runnerConfidence } from './judge/runners.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import type { WorkflowModel } from '../../workflows/model.js';
import { lowerConfidence } from '../../core/finding.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'release'>({
  id: 'ci/release-on-persistent-runner',
  title: 'Release build or upload on a persistent runner',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: ['self-hosted-runner'] },
  policy: 'PyTorch P7 (release build and upload only on ephemeral runners)',
  messages: {
    release:
      'Job `{{job}}` is a release job ({{why}}) but runs on {{runner}}; an earlier job on that machine can tamper with the release. Build and upload releases on ephemeral runners.',
  },
  check(ctx, input) {
    const roles = new Map<WorkflowModel, Map<string, string>>();
    for (const effective of effectiveJobs(input)) {
      if (effective.runner.kind !== 'persistent') continue;
      let map = roles.get(effective.workflow);
      if (map === undefined) {
        map = releaseJobs(effective.workflow);
        roles.set(effective.workflow, map);
      }
      const why = map.get(effective.job.id);
      if (why === undefined) continue;
      ctx.report({
        messageId: 'release',
        data: { job: effective.job.id, why, runner: describeRunner(effective.runner) },
        at: runnerAnchor(effective),
        // A job that only builds in a release-triggered workflow is a release job by inference.
        confidence: lowerConfidence(
          runnerConfidence(effective.runner),
          why.startsWith('it publishes') ? 'high' : 'medium',
        ),
        // An unknown label, a runner group or a computed name is a guess: pedantic mode only.
        pedantic: runnerConfidence(effective.runner) === 'low',
      });
    }
  },
});
