import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { at } from '../../workflows/audit-input.js';
import { secretRefs, stepAction, stepInput } from '../../workflows/job-roles.js';
import { defineRule } from '../define-rule.js';

// Package indexes that accept OIDC trusted publishing, and how a token-based upload looks.
const TOKEN_COMMANDS =
  /\btwine\s+upload\b|\b(?:uv|poetry|hatch|pdm|flit)\s+publish\b|\bcargo\s+publish\b|\bgem\s+push\b|\bnpm\s+publish\b/;

export default defineRule<WorkflowAuditInput, 'token'>({
  id: 'ci/use-trusted-publishing',
  title: 'Package published with a stored token instead of trusted publishing',
  target: 'workflow',
  severity: 'info',
  confidence: 'medium',
  equivalents: { zizmor: ['use-trusted-publishing'] },
  policy: 'PyTorch P10 (upload credentials are never repository secrets)',
  messages: {
    token:
      'This upload uses a stored token (`{{secret}}`); the index supports OIDC trusted publishing, which needs no long-lived credential (`permissions: id-token: write` and no password).',
  },
  check(ctx, { workflow }) {
    for (const job of workflow.jobs) {
      for (const step of job.steps) {
        const name = stepAction(step);
        if (name === 'pypa/gh-action-pypi-publish' && step.uses !== undefined) {
          const password = stepInput(step, 'password');
          const secret =
            password === undefined ? undefined : secretRefs(password, workflow.text)[0];
          if (secret !== undefined) {
            ctx.report({
              messageId: 'token',
              data: { secret: secret.name },
              at: at(step.uses),
            });
          }
          continue;
        }
        if (step.run === undefined || !TOKEN_COMMANDS.test(step.run.text)) continue;
        const secret =
          secretRefs(step.node, workflow.text)[0] ?? secretRefs(job.env, workflow.text)[0];
        if (secret !== undefined) {
          ctx.report({
            messageId: 'token',
            data: { secret: secret.name },
            at: at(step.run),
          });
        }
      }
    }
  },
});
