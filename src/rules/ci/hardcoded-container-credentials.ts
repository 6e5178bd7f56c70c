import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { findExpressions } from '../../workflows/expressions.js';
import { getMap, getScalar } from '../../workflows/yaml-tree.js';
import type { YNode } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'literalPassword'>({
  id: 'ci/hardcoded-container-credentials',
  title: 'Registry password written into the workflow',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['hardcoded-container-credentials'] },
  policy:
    'PyTorch P10 (upload and registry credentials are never stored in the repository); CWE-798',
  messages: {
    literalPassword:
      'The registry password of `{{where}}` is a literal in the workflow, readable by anyone who can read the repository; use `${{ secrets.NAME }}` from an environment, or OIDC.',
  },
  check(ctx, { workflow }) {
    const check = (container: YNode | undefined, where: string): void => {
      const password = getScalar(getMap(container, 'credentials'), 'password');
      if (password === undefined || password.text === '') return;
      if (findExpressions(password.text).length > 0) return;
      ctx.report({ messageId: 'literalPassword', data: { where }, at: at(password) });
    };
    for (const job of workflow.jobs) {
      check(job.container, `jobs.${job.id}.container`);
      for (const [name, entry] of job.services?.entries ?? []) {
        check(entry.value, `jobs.${job.id}.services.${name}`);
      }
    }
  },
});
