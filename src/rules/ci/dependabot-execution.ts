import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { getNode, getScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'allow'>({
  id: 'ci/dependabot-execution',
  title: 'Dependabot allowed to run dependency code during updates',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['dependabot-execution'] },
  policy: 'Supply chain: no code execution in automated dependency updates; CWE-829',
  messages: {
    allow:
      '`insecure-external-code-execution: allow` lets Dependabot run code from the `{{ecosystem}}` manifests and their dependencies while resolving updates, with access to its registry credentials; remove it (the default is `deny`).',
  },
  check(ctx, { workflow }) {
    if (workflow.kind !== 'dependabot') return;
    const updates = getNode(workflow.root, 'updates');
    if (updates?.kind !== 'seq') return;
    for (const update of updates.items) {
      const value = getScalar(update, 'insecure-external-code-execution');
      if (value?.text.trim().toLowerCase() !== 'allow') continue;
      const ecosystem = getScalar(update, 'package-ecosystem')?.text ?? 'unnamed';
      ctx.report({ messageId: 'allow', data: { ecosystem }, at: at(value) });
    }
  },
});
