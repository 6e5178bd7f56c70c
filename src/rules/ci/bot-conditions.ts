import { untrustedTriggerContexts } from './judge/triggers.js';
import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { mayRun } from '../../workflows/conditions.js';
import type { YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// `github.actor == 'x[bot]'` (either operand order): the actor is whoever caused the latest
// event, so anyone can make a bot's PR run under their own push (zizmor bot-conditions,
// poutine confused_deputy_auto_merge).
const ACTOR_BOT =
  /github\.(?:actor|triggering_actor)\s*==\s*'[^']*\[bot\]'|'[^']*\[bot\]'\s*==\s*github\.(?:actor|triggering_actor)/i;

export default defineRule<WorkflowAuditInput, 'spoofable'>({
  id: 'ci/bot-conditions',
  title: 'Spoofable bot check guards a privileged action',
  target: 'workflow',
  severity: 'high',
  confidence: 'medium',
  equivalents: { zizmor: ['bot-conditions'] },
  policy: 'PyTorch P2, P3 (merge automation)',
  messages: {
    spoofable:
      '`{{condition}}` only says who caused the latest event, not who wrote the code; under `{{trigger}}` anyone can satisfy it. Check `github.event.pull_request.user.login` and the PR head instead.',
  },
  check(ctx, { workflow }) {
    const triggers = untrustedTriggerContexts(workflow);
    if (triggers.length === 0) return;
    const check = (condition: YScalar | undefined, jobIf?: YScalar): void => {
      if (condition === undefined) return;
      // The text test first: evaluating every condition under every trigger is the costly part.
      const match = ACTOR_BOT.exec(condition.text);
      if (match === null) return;
      const trigger = triggers.find((t) => mayRun(jobIf, t.ctx) && mayRun(condition, t.ctx));
      if (trigger === undefined) return;
      ctx.report({
        messageId: 'spoofable',
        data: { condition: match[0], trigger: trigger.name },
        at: at(condition),
      });
    };
    for (const job of workflow.jobs) {
      check(job.if);
      for (const step of job.steps) check(step.if, job.if);
    }
  },
});
