import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'yaml' | 'unreadable'>({
  id: 'ci/malformed-input',
  title: 'Workflow file is not valid, bounded YAML',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: [] },
  policy: 'torchward hostile-input policy (STYLE §5); CWE-20',
  messages: {
    yaml: 'YAML error {{code}}: {{message}}. GitHub may read this file differently from the auditor; fix it before trusting the audit.',
    unreadable: 'The file could not be audited ({{code}}: {{message}}); nothing in it was checked.',
  },
  check(ctx, { workflow }) {
    // The audit reports fatal errors (limits, non-mapping documents) itself with `unreadable`.
    for (const problem of workflow.problems) {
      ctx.report({
        messageId: 'yaml',
        data: { code: problem.code, message: problem.message },
        at: { span: problem.span, path: [] },
      });
    }
  },
});
