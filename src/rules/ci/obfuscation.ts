import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { walkExpression } from '../../workflows/expression-ast.js';
import type { ExprNode } from '../../workflows/expression-ast.js';
import { findExpressions } from '../../workflows/expressions.js';
import { usesSites } from '../../workflows/uses-sites.js';
import { expressionAst, rootScalars } from '../../workflows/workflow-scans.js';
import { getNode } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

// Functions whose value depends on the run (job status, files on disk): never constant.
const RUNTIME_FUNCTIONS = new Set(['success', 'failure', 'always', 'cancelled', 'hashfiles']);

/** Why an expression is obfuscated, or undefined: a constant call, or a JSON round trip. */
function obfuscated(ast: ExprNode): string | undefined {
  for (const node of walkExpression(ast)) {
    if (node.kind !== 'call') continue;
    if (
      (node.name === 'fromjson' || node.name === 'tojson') &&
      node.args[0]?.kind === 'call' &&
      node.args[0].name === (node.name === 'fromjson' ? 'tojson' : 'fromjson')
    ) {
      return 'a `fromJSON(toJSON(…))` round trip does nothing';
    }
    if (
      !RUNTIME_FUNCTIONS.has(node.name) &&
      node.args.length > 0 &&
      node.args.every((a) => a.kind === 'literal')
    ) {
      return `\`${node.name}(…)\` of literals only is a constant`;
    }
  }
  return undefined;
}

export default defineRule<WorkflowAuditInput, 'usesPath' | 'expression' | 'withExpression'>({
  id: 'ci/obfuscation',
  title: 'Obfuscated `uses:` path or expression',
  target: 'workflow',
  severity: 'low',
  confidence: 'high',
  equivalents: { zizmor: ['obfuscation'] },
  policy: 'Auditability: constructs that hide what runs from reviewers and tools',
  messages: {
    usesPath:
      '`{{uses}}` has `.`, `..` or empty path segments, which hide which action actually runs; write the normalised path.',
    expression:
      '`${{ {{expression}} }}`: {{reason}}; write the value it evaluates to, so reviewers and tools see it.',
    withExpression:
      "`with:` is a single expression, so the action's inputs cannot be reviewed or checked; list the inputs.",
  },
  check(ctx, { workflow }) {
    for (const { scalar, step } of usesSites(workflow)) {
      const text = scalar.text.trim();
      const name = text.split('@')[0] ?? text;
      if (!name.startsWith('./') && !name.startsWith('$/') && !name.startsWith('docker://')) {
        const segments = name.split('/');
        if (segments.some((s) => s === '' || s === '.' || s === '..')) {
          ctx.report({ messageId: 'usesPath', data: { uses: text }, at: at(scalar) });
        }
      }
      const withNode = step === undefined ? undefined : getNode(step.node, 'with');
      if (withNode?.kind === 'scalar' && withNode.text.includes('${{')) {
        ctx.report({ messageId: 'withExpression', at: at(withNode), severity: 'info' });
      }
    }
    if (!workflow.text.includes('${{')) return;
    for (const scalar of rootScalars(workflow)) {
      // Both reasons are about function calls: a body without `(` has none (and a source
      // `(` stays a `(` in the value: no escape or folding removes one).
      if (!scalar.text.includes('${{') || !scalar.text.includes('(')) continue;
      const raw = workflow.text.slice(scalar.span.start, scalar.span.end);
      for (const expression of findExpressions(raw)) {
        if (!expression.body.includes('(')) continue;
        const ast = expressionAst(workflow, expression.body);
        const reason = ast === undefined ? undefined : obfuscated(ast);
        if (reason === undefined) continue;
        ctx.report({
          messageId: 'expression',
          data: { expression: expression.body, reason },
          at: {
            span: {
              start: scalar.span.start + expression.start,
              end: scalar.span.start + expression.end,
            },
            path: scalar.path,
          },
        });
      }
    }
  },
});
