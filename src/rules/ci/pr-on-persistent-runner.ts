import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { at, describeRunner, effectiveJobs, runnerAnchor } from '../../workflows/audit-input.js';
import { untrustedTriggers } from '../../workflows/job-roles.js';
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
    const triggers = untrustedTriggers(input.workflow);
    const first = triggers[0];
    if (first === undefined) return;
    const pr = triggers.find((t) => PR_EVENTS.has(t.name) || t.name.startsWith('push to ciflow/'));
    const trigger = pr ?? first;
    for (const effective of effectiveJobs(input)) {
      if (effective.runner.kind !== 'persistent') continue;
      ctx.report({
        messageId: pr === undefined ? 'bypass' : 'pr',
        data: { trigger: trigger.name, runner: describeRunner(effective.runner) },
        at: runnerAnchor(effective),
        related: [at(trigger.node, 'trigger')],
      });
    }
  },
});
