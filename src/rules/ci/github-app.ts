import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { stepAction } from '../../workflows/steps.js';
import { findExpressions } from '../../workflows/expressions.js';
import { getScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// Permissions that only reach organisation resources: an all-repository token limited to these
// cannot touch code, so `owner:` without `repositories:` is then not broader than needed.
const ORG_ONLY =
  /^permission-(?:organization-|members$|custom-properties-for-organizations$|enterprise-custom-properties-for-organizations$)/;

export default defineRule<
  WorkflowAuditInput,
  'noRevoke' | 'maybeNoRevoke' | 'allRepos' | 'allPermissions'
>({
  id: 'ci/github-app',
  title: 'GitHub App token minted broader or longer-lived than needed',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['github-app'] },
  policy: 'Least privilege for CI credentials (PyTorch P6, P10); CWE-272',
  messages: {
    noRevoke:
      '`skip-token-revoke: true` keeps the installation token valid for up to an hour after the job; remove it so the action revokes the token when the job ends.',
    maybeNoRevoke:
      '`skip-token-revoke` is an expression, so token revocation may be turned off; set it to a constant false (or remove it).',
    allRepos:
      '`owner:` without `repositories:` mints a token for every repository the App is installed on; list the repositories the job needs.',
    allPermissions:
      'No `permission-*` input: the token gets every permission the App was granted at installation; request only the ones the job needs (e.g. `permission-contents: read`).',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        if (stepAction(step) !== 'actions/create-github-app-token' || step.uses === undefined)
          continue;
        const inputs = step.with;
        const keys = [...(inputs?.entries.keys() ?? [])];
        const skip = getScalar(inputs, 'skip-token-revoke');
        if (skip !== undefined) {
          if (skip.value === true || skip.text.trim().toLowerCase() === 'true') {
            ctx.report({ messageId: 'noRevoke', at: at(skip) });
          } else if (findExpressions(skip.text).length > 0) {
            ctx.report({ messageId: 'maybeNoRevoke', at: at(skip) });
          }
        }
        const permissions = keys.filter((k) => k.startsWith('permission-'));
        const orgOnly = permissions.length > 0 && permissions.every((k) => ORG_ONLY.test(k));
        if (keys.includes('owner') && !keys.includes('repositories') && !orgOnly) {
          ctx.report({ messageId: 'allRepos', at: at(getScalar(inputs, 'owner') ?? step.uses) });
        }
        if (permissions.length === 0) {
          ctx.report({ messageId: 'allPermissions', at: at(step.uses), severity: 'medium' });
        }
      }
    }
  },
});
