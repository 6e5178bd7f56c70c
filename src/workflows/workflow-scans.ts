// Per-workflow results that several rules ask for: computed on the first request and kept on the
// model (workflows/memo.ts), so 35 rules over one file walk its tree and parse each expression
// once instead of once per rule.
import type { ExprNode } from './expression-ast.js';
import { parseExpression } from './expression-ast.js';
import { Memo } from './memo.js';
import type { WorkflowModel } from './model.js';
import { scalarsUnder } from './yaml-tree.js';
import type { YScalar } from './yaml-tree.js';

const ROOT_SCALARS = new Memo<WorkflowModel, readonly YScalar[]>('rootScalars');
const ASTS = new Memo<WorkflowModel, Map<string, ExprNode | undefined>>('expressionAsts');

/** Every scalar of the workflow's tree (keys excluded), in document order; shared: do not mutate. */
export function rootScalars(workflow: WorkflowModel): readonly YScalar[] {
  return ROOT_SCALARS.cached(workflow, (w) => scalarsUnder(w.root));
}

/**
 * parseExpression(body), memoised per workflow: the same `${{ … }}` bodies recur across a file
 * and across rules. The tree is shared between callers and must not be mutated.
 */
export function expressionAst(workflow: WorkflowModel, body: string): ExprNode | undefined {
  const asts = ASTS.cached(workflow, () => new Map<string, ExprNode | undefined>());
  if (asts.has(body)) return asts.get(body);
  const ast = parseExpression(body);
  asts.set(body, ast);
  return ast;
}
