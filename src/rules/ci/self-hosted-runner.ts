import { describeRunner, effectiveJobs, runnerAnchor } from './judge/effective-jobs.js';
import { runnerConfidence } from './judge/runners.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'selfHosted'>({
  id: 'ci/self-hosted-runner',
  title: 'Job runs on a self-hosted runner that is not known to be ephemeral',
  target: 'workflow',
  severity: 'medium',
  confidence: 'medium',
  // An inventory finding for auditors: whether it matters depends on who can trigger the job,
  // which ci/pr-on-persistent-runner and ci/secrets-on-persistent-runner judge in default mode.
  pedantic: true,
  equivalents: { zizmor: ['self-hosted-runner'] },
  policy: 'PyTorch P6 (non-ephemeral runners can be taken over)',
  messages: {
    selfHosted:
      'Job `{{job}}` runs on {{runner}}; a self-hosted runner that is not ephemeral keeps what one job leaves behind for the next. Make sure only trusted events reach it, or declare it in torchward.yml `runners.ephemeral` if it is.',
  },
  check(ctx, input) {
    for (const effective of effectiveJobs(input)) {
      const { runner } = effective;
      // GitHub-hosted, known-ephemeral and runner-less jobs are not self-hosted inventory.
      if (runner.kind !== 'persistent' && runner.kind !== 'unresolved') continue;
      ctx.report({
        messageId: 'selfHosted',
        data: { job: effective.job.id, runner: describeRunner(runner) },
        at: runnerAnchor(effective),
        confidence: runnerConfidence(runner),
      });
    }
  },
});
