import { describeRunner, effectiveJobs, jobAnchor, runnerAnchor } from './judge/effective-jobs.js';
import { runnerConfidence } from './judge/runners.js';
import { jobSecretRefs } from './judge/secrets.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'secrets' | 'passed'>({
  id: 'ci/secrets-on-persistent-runner',
  title: 'Repository secrets used on a persistent runner',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: ['self-hosted-runner'] },
  policy: 'PyTorch P6 (no repository secrets on non-ephemeral runners)',
  messages: {
    secrets:
      'Secret `{{secret}}` is handed to a job on {{runner}}; whoever took over that machine in an earlier job can read it. Use an ephemeral runner, or no secret.',
    passed:
      'Secret `{{secret}}` reaches a job of `{{callee}}` that runs on {{runner}}; whoever took over that machine can read it.',
  },
  check(ctx, input) {
    for (const effective of effectiveJobs(input)) {
      if (effective.runner.kind !== 'persistent') continue;
      const refs = jobSecretRefs(effective.job, effective.workflow.text);
      const inherit =
        effective.via?.secrets?.kind === 'scalar' && effective.via.secrets.text === 'inherit';
      const first = refs[0];
      if (first === undefined && !inherit) continue;
      const secret = first?.name ?? 'inherit';
      if (effective.via === undefined && first !== undefined) {
        ctx.report({
          messageId: 'secrets',
          data: { secret, runner: describeRunner(effective.runner) },
          at: { span: first.span, path: first.scalar.path },
          related: [{ ...runnerAnchor(effective), label: 'persistent runner' }],
          confidence: runnerConfidence(effective.runner),
          // An unknown label, a runner group or a computed name is a guess: pedantic mode only.
          pedantic: runnerConfidence(effective.runner) === 'low',
        });
      } else {
        ctx.report({
          messageId: 'passed',
          data: {
            secret,
            callee: effective.workflow.uri,
            runner: describeRunner(effective.runner),
          },
          at: jobAnchor(effective),
          related:
            effective.via?.secrets === undefined
              ? []
              : [at(effective.via.secrets, 'secrets passed here')],
          confidence: runnerConfidence(effective.runner),
          // An unknown label, a runner group or a computed name is a guess: pedantic mode only.
          pedantic: runnerConfidence(effective.runner) === 'low',
        });
      }
    }
  },
});
