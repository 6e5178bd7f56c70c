import { resultValues } from './conditions.js';
import { contextRefs, findExpressions } from './expressions.js';
import type { Job, WorkflowModel } from './model.js';
import type { YMap, YNode } from './yaml-tree.js';

/** Where an expression is evaluated: the job, its workflow, and the caller's `with:` if any. */
export interface ResolveScope {
  readonly job: Job;
  readonly workflow: WorkflowModel;
  /** `with:` of the job that called this reusable workflow. */
  readonly callerWith?: YMap | undefined;
}

// Candidate lists grow as a product over the expressions of one string; 32 covers real matrices
// (a handful of runners) while a crafted string cannot make the product explode.
const MAX_CANDIDATES = 32;

/**
 * The values `text` may take, substituting `matrix.*` values, `inputs.*` (caller's `with:` or
 * defaults) and, for other expressions, the literal results of ternaries like
 * `cond && 'a' || 'b'` (workflows/conditions.ts). Returns undefined when some expression cannot be resolved, unless
 * `affixes` is set and the text has literal parts: then an unresolved expression stands for ''
 * (PyTorch's `${{ needs.get-label-type.outputs.label-type }}linux.2xlarge`, where the prefix
 * selects a fleet but the literal names the machine).
 */
export function resolveCandidates(
  text: string,
  scope: ResolveScope,
  affixes = false,
): string[] | undefined {
  const expressions = findExpressions(text);
  if (expressions.length === 0) return [text];
  const literalLength = text.length - expressions.reduce((n, e) => n + e.end - e.start, 0);
  const fallback = affixes && text.trim().length > 0 && literalLength > 0 ? [''] : undefined;
  let out = [''];
  let last = 0;
  for (const expression of expressions) {
    const literal = text.slice(last, expression.start);
    const values = resolveExpression(expression.body, scope) ?? fallback;
    if (values === undefined) return undefined;
    const next: string[] = [];
    for (const prefix of out) {
      for (const value of values) {
        if (next.length < MAX_CANDIDATES) next.push(prefix + literal + value);
      }
    }
    out = next;
    last = expression.end;
  }
  return out.map((prefix) => prefix + text.slice(last));
}

function resolveExpression(body: string, scope: ResolveScope): string[] | undefined {
  const refs = contextRefs(body);
  const only = refs.length === 1 && refs[0]?.start === 0 && refs[0].end === body.length;
  if (only && refs[0] !== undefined) {
    const path = refs[0].path.split('.');
    if (path[0] === 'matrix' && path.length === 2 && path[1] !== undefined) {
      return matrixValues(scope.job.matrix, path[1]);
    }
    if (path[0] === 'inputs' && path.length === 2 && path[1] !== undefined) {
      const given = scope.callerWith?.entries.get(path[1])?.value;
      if (given?.kind === 'scalar' && findExpressions(given.text).length === 0) {
        return [given.text];
      }
      const fallback = scope.workflow.inputDefaults.get(path[1]);
      return fallback === undefined ? undefined : [fallback];
    }
    return undefined;
  }
  // `cond && 'x' || 'y'` gives x or y; the literals it compares against (`matrix.os == 'linux'`)
  // are not values. Undefined when some result is not a literal.
  return resultValues(body);
}

function matrixValues(matrix: YNode | undefined, name: string): string[] | undefined {
  if (matrix?.kind !== 'map') return undefined;
  const out: string[] = [];
  const axis = matrix.entries.get(name)?.value;
  if (axis?.kind === 'seq') {
    for (const item of axis.items) {
      if (item.kind === 'scalar') out.push(item.text);
      else if (item.kind === 'seq') {
        // A list-valued runs-on entry: `runner: [[self-hosted, linux]]`.
        out.push(item.items.flatMap((i) => (i.kind === 'scalar' ? [i.text] : [])).join(','));
      }
    }
  } else if (axis?.kind === 'scalar') {
    if (findExpressions(axis.text).length > 0) return undefined;
    out.push(axis.text);
  }
  const include = matrix.entries.get('include')?.value;
  if (include?.kind === 'seq') {
    for (const item of include.items) {
      const value = item.kind === 'map' ? item.entries.get(name)?.value : undefined;
      if (value?.kind === 'scalar') out.push(value.text);
    }
  }
  return out.length > 0 ? out : undefined;
}
