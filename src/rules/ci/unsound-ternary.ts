import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { isFalsyLiteral, walkExpression } from '../../workflows/expression-ast.js';
import { findExpressions } from '../../workflows/expressions.js';
import { expressionAst, rootScalars } from '../../workflows/workflow-scans.js';
import { defineRule } from '../define-rule.js';

function literalText(value: string | number | boolean | null): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

export default defineRule<WorkflowAuditInput, 'falsyArm'>({
  id: 'ci/unsound-ternary',
  title: '`cond && x || y` whose true arm is falsy',
  target: 'workflow',
  severity: 'medium',
  confidence: 'high',
  equivalents: { zizmor: ['unsound-ternary'] },
  policy: 'Correct gating of privileged steps (PyTorch P2, P3); CWE-480',
  messages: {
    falsyArm:
      '`${{ {{expression}} }}` is not a ternary: its true arm {{arm}} is falsy, so the expression yields the fallback even when the condition holds; use `case(cond, {{arm}}, fallback)` or invert the condition.',
  },
  check(ctx, { workflow }) {
    if (!workflow.text.includes('&&')) return;
    for (const scalar of rootScalars(workflow)) {
      if (!scalar.text.includes('&&')) continue;
      const raw = workflow.text.slice(scalar.span.start, scalar.span.end);
      const found = findExpressions(raw);
      // `if:` takes a bare expression too.
      const isIf = scalar.path[scalar.path.length - 1] === 'if';
      const expressions =
        found.length === 0 && isIf
          ? [{ start: 0, end: raw.length, body: scalar.text.trim() }]
          : found;
      for (const expression of expressions) {
        const ast = expressionAst(workflow, expression.body);
        if (ast === undefined) continue;
        for (const node of walkExpression(ast)) {
          if (node.kind !== 'binary' || node.op !== '||') continue;
          const left = node.left;
          if (left.kind !== 'binary' || left.op !== '&&' || !isFalsyLiteral(left.right)) continue;
          const arm = left.right.kind === 'literal' ? literalText(left.right.value) : '';
          ctx.report({
            messageId: 'falsyArm',
            data: { expression: expression.body, arm },
            at: {
              span: {
                start: scalar.span.start + expression.start,
                end: scalar.span.start + expression.end,
              },
              path: scalar.path,
            },
          });
          break;
        }
      }
    }
  },
});
