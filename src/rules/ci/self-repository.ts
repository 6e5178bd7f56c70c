import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { usesSites } from '../../workflows/uses-sites.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'workspaceRelative'>({
  id: 'ci/self-repository',
  title: 'In-repository action referenced by a workspace path instead of `$/`',
  target: 'workflow',
  severity: 'low',
  confidence: 'high',
  equivalents: { zizmor: ['self-repository'] },
  // The `$/` syntax is new (July 2026) and unsupported on older GitHub Enterprise Server, so this
  // migration nudge runs only with --pedantic (zizmor reports it by default).
  pedantic: true,
  policy: 'Supply chain: actions loaded from the runtime file system; GitHub pinning policies',
  messages: {
    workspaceRelative:
      '`{{uses}}` loads whatever is at that path in the workspace when the step runs, which an earlier step (a checkout of other code, a download) can replace, and it escapes "must be pinned" policies; write `{{fixed}}` (same-repository syntax).',
  },
  check(ctx, { workflow }) {
    for (const { scalar } of usesSites(workflow)) {
      const text = scalar.text.trim();
      if (!text.startsWith('./')) continue;
      ctx.report({
        messageId: 'workspaceRelative',
        data: { uses: text, fixed: `$/${text.slice(2)}` },
        at: at(scalar),
      });
    }
  },
});
