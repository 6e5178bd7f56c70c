import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import {
  ARCHIVED_ACTIONS,
  ARCHIVED_ACTIONS_AS_OF,
} from '../../workflows/known/archived-actions.js';
import { usesSites } from '../../workflows/uses-sites.js';
import { parseUses } from '../../workflows/uses.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'archived'>({
  id: 'ci/archived-uses',
  title: 'Action or reusable workflow from an archived repository',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['archived-uses'] },
  policy: 'Supply chain: unmaintained dependencies (OpenSSF Scorecard Maintained); CWE-1104',
  messages: {
    archived: `\`{{repo}}\` is archived (read-only, unmaintained; list of ${ARCHIVED_ACTIONS_AS_OF}): its vulnerabilities and those of its bundled dependencies will not be fixed. Replace it with a maintained action or a \`run:\` step (often \`gh\`).`,
  },
  check(ctx, { workflow }) {
    for (const { scalar } of usesSites(workflow)) {
      const ref = parseUses(scalar.text);
      if (ref.kind !== 'remote' || !ARCHIVED_ACTIONS.has(ref.repo)) continue;
      ctx.report({ messageId: 'archived', data: { repo: ref.repo }, at: at(scalar) });
    }
  },
});
