import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { defineRule } from '../define-rule.js';

// Triggers that run in the base repository's privileged context for events outsiders cause.
const DANGEROUS = ['pull_request_target', 'workflow_run'];

export default defineRule<WorkflowAuditInput, 'trigger'>({
  id: 'ci/dangerous-trigger',
  title: 'Workflow uses a privileged trigger that outsiders can fire',
  target: 'workflow',
  severity: 'low',
  confidence: 'medium',
  equivalents: { zizmor: ['dangerous-triggers'] },
  policy: 'PyTorch P1 (PR runs from non-members need approval), P6',
  messages: {
    trigger:
      "`{{trigger}}` runs with the base repository's write token and secrets for events outsiders can cause, and is not held back by the fork-PR approval gate; keep PR code, caches and artifacts out of it.",
  },
  check(ctx, { workflow }) {
    for (const name of DANGEROUS) {
      const node = workflow.triggers.get(name);
      if (node !== undefined)
        ctx.report({ messageId: 'trigger', data: { trigger: name }, at: at(node) });
    }
  },
});
