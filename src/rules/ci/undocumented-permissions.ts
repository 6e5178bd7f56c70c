import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import type { YNode } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'undocumented'>({
  id: 'ci/undocumented-permissions',
  title: 'Token permission granted without a comment saying why',
  target: 'workflow',
  severity: 'info',
  confidence: 'high',
  equivalents: { zizmor: ['undocumented-permissions'] },
  pedantic: true,
  policy: 'Least privilege kept reviewable (OpenSSF Scorecard Token-Permissions)',
  messages: {
    undocumented:
      '`{{scope}}: {{level}}` has no comment saying why the job needs it; a reason beside each grant (`# to create releases`) keeps the next reviewer from widening or keeping it blindly.',
  },
  check(ctx, { workflow }) {
    if (workflow.kind !== 'workflow') return;
    const text = workflow.text;
    const checkBlock = (block: YNode | undefined): void => {
      if (block?.kind !== 'map') return;
      for (const [scope, entry] of block.entries) {
        if (entry.value.kind !== 'scalar') continue;
        const level = entry.value.text.trim();
        // `contents: read` is the usual baseline and `none` grants nothing: both explain themselves.
        if (level === 'none' || (scope === 'contents' && level === 'read')) continue;
        const lineEnd = text.indexOf('\n', entry.value.span.end);
        const rest = text.slice(entry.value.span.end, lineEnd < 0 ? text.length : lineEnd);
        const lineStart = text.lastIndexOf('\n', entry.key.span.start - 1);
        const prevStart = text.lastIndexOf('\n', lineStart - 1);
        const previous = lineStart < 0 ? '' : text.slice(prevStart + 1, lineStart).trim();
        if (/^\s+#/.test(rest) || previous.startsWith('#')) continue;
        ctx.report({ messageId: 'undocumented', data: { scope, level }, at: at(entry.key) });
      }
    };
    checkBlock(workflow.permissions);
    for (const job of workflow.jobs) checkBlock(job.permissions);
  },
});
