import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { forbiddenBy } from '../../workflows/forbidden-uses.js';
import { usesSites } from '../../workflows/uses-sites.js';
import { parseUses } from '../../workflows/uses.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'forbidden'>({
  id: 'ci/forbidden-uses',
  title: 'Action or reusable workflow outside the configured allow/deny list',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['forbidden-uses'] },
  policy: 'Supply chain: the organisation decides which third-party code its CI may run',
  messages: {
    forbidden:
      '`{{uses}}` is forbidden by the `forbidden-uses` list in torchward.yml ({{why}}); use an approved action or change the list.',
  },
  check(ctx, { workflow, forbiddenUses }) {
    // Without a configured list there is nothing to enforce.
    if (forbiddenUses === undefined) return;
    for (const { scalar } of usesSites(workflow)) {
      const ref = parseUses(scalar.text);
      // Local actions and docker images are not repository references: lists do not name them.
      if (ref.kind !== 'remote') continue;
      const why = forbiddenBy(forbiddenUses, ref);
      if (why === undefined) continue;
      ctx.report({
        messageId: 'forbidden',
        data: { uses: scalar.text.trim(), why },
        at: at(scalar),
      });
    }
  },
});
