import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { getScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'workflow' | 'action'>({
  id: 'ci/anonymous-definition',
  title: 'Workflow or action without a name',
  target: 'workflow',
  severity: 'info',
  confidence: 'high',
  equivalents: { zizmor: ['anonymous-definition'] },
  pedantic: true,
  policy: 'Auditability (reviewers must tell which definition ran)',
  messages: {
    workflow:
      'This workflow has no `name:`, so the Actions UI and logs show its file path instead; add a `name:` that says what it does.',
    action: 'This action has no `name:`; add one so its runs can be told apart in logs.',
  },
  check(ctx, { workflow }) {
    if (workflow.kind !== 'workflow' && workflow.kind !== 'action') return;
    const root = workflow.root;
    if (root === undefined) return;
    const name = getScalar(root, 'name');
    if (name !== undefined && name.text.trim() !== '') return;
    ctx.report({
      messageId: workflow.kind,
      at: { span: { start: root.span.start, end: root.span.start }, path: [] },
    });
  },
});
