import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { defineRule } from '../define-rule.js';

// Problems the workflow model reports about the file's shape (workflows/model.ts), not YAML errors.
const STRUCTURE = new Set(['MISSING_ON', 'EMPTY_ON', 'MISSING_JOBS', 'BAD_JOBS', 'BAD_JOB']);

export default defineRule<WorkflowAuditInput, 'yaml' | 'structure' | 'unreadable' | 'unresolved'>({
  id: 'ci/malformed-input',
  title: 'Workflow file is not valid, bounded YAML',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: [] },
  policy: 'torchward hostile-input policy (STYLE §5); CWE-20',
  messages: {
    yaml: 'YAML error {{code}}: {{message}}. GitHub may read this file differently from the auditor; fix it before trusting the audit.',
    structure:
      'Not a valid workflow ({{code}}): {{message}}. GitHub refuses this file, and the audit found nothing to check in that part.',
    unresolved:
      '`{{uses}}` was not audited: {{reason}}. Its steps may hold findings this report does not show (an action checked out into the workspace at run time cannot be read statically).',
    unreadable: 'The file could not be audited ({{code}}: {{message}}); nothing in it was checked.',
  },
  check(ctx, { workflow }) {
    for (const { uses, reason } of workflow.unresolved) {
      ctx.report({
        messageId: 'unresolved',
        data: { uses: uses.text.trim(), reason },
        at: { span: uses.span, path: uses.path },
        severity: 'low',
        confidence: 'medium',
      });
    }
    // The audit reports fatal errors (limits, non-mapping documents) itself with `unreadable`.
    for (const problem of workflow.problems) {
      ctx.report({
        messageId: STRUCTURE.has(problem.code) ? 'structure' : 'yaml',
        data: { code: problem.code, message: problem.message },
        at: { span: problem.span, path: [] },
      });
    }
  },
});
