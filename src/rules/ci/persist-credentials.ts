import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { isCheckout, stepAction, stepInput } from '../../workflows/steps.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'persisted' | 'artipacked'>({
  id: 'ci/persist-credentials',
  title: 'actions/checkout leaves the token in the working tree',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['artipacked'] },
  policy: 'PyTorch P4 (credentials must not reach artifacts), P6',
  messages: {
    persisted:
      'actions/checkout stores the job token in .git/config for every later step (and any cache or artifact of the tree); set `persist-credentials: false` unless a later step pushes.',
    artipacked:
      'actions/checkout stores the job token in .git/config and a later step uploads an artifact from the working tree, which can publish the token; set `persist-credentials: false`.',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      const uploads = job.steps.some((s) => stepAction(s) === 'actions/upload-artifact');
      let lastPush = -1;
      job.steps.forEach((s, index) => {
        if (s.run !== undefined && /\bgit\s+push\b/.test(s.run.text)) lastPush = index;
      });
      job.steps.forEach((step, index) => {
        if (!isCheckout(step) || step.uses === undefined) return;
        if (stepInput(step, 'persist-credentials')?.text === 'false') return;
        // A later `git push` needs the stored credential; without an artifact upload that is the
        // intended use, not a leak.
        if (lastPush > index && !uploads) return;
        ctx.report({
          messageId: uploads ? 'artipacked' : 'persisted',
          at: at(step.uses),
          // Without an upload of the tree the token stays on the runner: a weaker, likelier-benign case.
          ...(uploads ? { severity: 'high' as const } : { confidence: 'medium' as const }),
        });
      });
    }
  },
});
