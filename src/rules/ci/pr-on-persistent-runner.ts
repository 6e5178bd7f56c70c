import {
  describeRunner,
  effectiveJobs,
  jobMayRunUnder,
  runnerAnchor,
} from './judge/effective-jobs.js';
import { runnerConfidence } from './judge/runners.js';
import { untrustedTriggerContexts } from './judge/triggers.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { defineRule } from '../define-rule.js';

const PR_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
]);

export default defineRule<WorkflowAuditInput, 'pr' | 'bypass'>({
  id: 'ci/pr-on-persistent-runner',
  title: 'Outside contributions run on a persistent (non-ephemeral) runner',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: ['self-hosted-runner'] },
  policy: 'PyTorch P6 (non-ephemeral runners can be taken over), P1',
  messages: {
    pr: 'Pull requests (`{{trigger}}`) run on {{runner}}; a PR job can leave a process or modified tools behind and take over later jobs on that machine. Run PR jobs on ephemeral runners.',
    bypass:
      '`{{trigger}}` runs for outsiders without the fork-PR approval gate, on {{runner}}; a persistent runner lets such a run take over later jobs. Use an ephemeral runner.',
  },
  check(ctx, input) {
    const triggers = untrustedTriggerContexts(input.workflow);
    if (triggers.length === 0) return;
    for (const effective of effectiveJobs(input)) {
      if (effective.runner.kind !== 'persistent') continue;
      // Only the untrusted triggers this job runs under: a job guarded by
      // `if: startsWith(github.ref, 'refs/tags/')` is not a PR job.
      const applicable = triggers.filter((t) => jobMayRunUnder(effective, t.ctx));
      const pr = applicable.find(
        (t) => PR_EVENTS.has(t.name) || t.name.startsWith('push to ciflow/'),
      );
      const trigger = pr ?? applicable[0];
      if (trigger === undefined) continue;
      ctx.report({
        messageId: pr === undefined ? 'bypass' : 'pr',
        data: { trigger: trigger.name, runner: describeRunner(effective.runner) },
        at: runnerAnchor(effective),
        related: [at(trigger.node, 'trigger')],
        confidence: runnerConfidence(effective.runner),
        // An unknown label, a runner group or a computed name is a guess: pedantic mode only.
        pedantic: runnerConfidence(effective.runner) === 'low',
      });
    }
  },
});
