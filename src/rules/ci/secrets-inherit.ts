import { mentionsSecrets } from './judge/secrets.js';
import { at, refsIn } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { inheritsSecrets } from '../../workflows/steps.js';
import { scalarsUnder } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

export default defineRule<WorkflowAuditInput, 'inherit' | 'allSecrets' | 'unredacted'>({
  id: 'ci/secrets-inherit',
  title: 'Every secret handed over at once',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['secrets-inherit', 'overprovisioned-secrets', 'unredacted-secrets'] },
  policy: 'PyTorch P6, P10 (least secret exposure)',
  messages: {
    inherit:
      '`secrets: inherit` hands every repository and organisation secret to the called workflow; pass only the secrets it needs, by name.',
    unredacted:
      '`{{expression}}` reads a field of a structured secret; only the whole secret is masked in logs, so the field can be printed in clear. Store each field as its own secret.',
    allSecrets:
      '`{{expression}}` expands every secret into one value (and defeats log masking of structured secrets); reference the secrets needed by name.',
  },
  check(ctx, { workflow }) {
    // Every reference reported below is read from the source text, where it spells `secrets`:
    // a file that never does needs no walk over its jobs' scalars.
    const mentioned = mentionsSecrets(workflow.text);
    for (const job of workflow.jobs) {
      const inherit = inheritsSecrets(job);
      if (inherit !== undefined) ctx.report({ messageId: 'inherit', at: at(inherit) });
      if (!mentioned) continue;
      for (const scalar of scalarsUnder(job.node)) {
        if (!mentionsSecrets(scalar.text)) continue;
        for (const ref of refsIn(workflow.text, scalar.span)) {
          if (ref.path.startsWith('secrets.') && /\bfromjson\s*\(\s*secrets\b/i.test(ref.body)) {
            ctx.report({
              messageId: 'unredacted',
              data: { expression: `\${{ ${ref.body} }}` },
              at: { span: ref.expression, path: scalar.path },
            });
            continue;
          }
          if (ref.path !== 'secrets' && ref.path !== 'secrets.*') continue;
          ctx.report({
            messageId: 'allSecrets',
            data: { expression: `\${{ ${ref.body} }}` },
            at: { span: ref.expression, path: scalar.path },
            severity: 'high',
          });
        }
      }
    }
  },
});
