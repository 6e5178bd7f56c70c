/**
 * A small evaluator of GitHub Actions expressions under a trigger: enough to tell that a job or
 * step guarded by `if: startsWith(github.ref, 'refs/tags/')` never runs for a pull request, that a
 * cache toggle `${{ !startsWith(github.ref, 'refs/tags/') }}` is off for a tag push, and which
 * values `${{ cond && 'x' || '' }}` can take. Anything it cannot decide is UNKNOWN, and an UNKNOWN
 * condition counts as "may run": the evaluator only ever removes a finding when the condition is
 * provably false for that trigger.
 *
 * The syntax is expression-ast.ts's `parseExpression`, the one parser of expression bodies (its
 * token and nesting bounds apply); expressions longer than MAX_LENGTH are not evaluated.
 */
import { parseExpression } from './expression-ast.js';
import type { ExprNode } from './expression-ast.js';
import { findExpressions } from './expressions.js';
import type { WorkflowModel } from './model.js';
import { scalarsUnder } from './yaml-tree.js';
import type { YScalar } from './yaml-tree.js';

/** What is known about a run of one trigger. */
export interface EventContext {
  /** `github.event_name`, or undefined when any event is possible (`workflow_call`). */
  readonly event: string | undefined;
  /** What `github.ref` names: a tag, a branch, a PR merge ref, or any of them. */
  readonly ref: 'tag' | 'branch' | 'pull' | 'any';
  /** For tag pushes: the tag filters of `on.push.tags` when every one is a literal prefix glob. */
  readonly tagPatterns?: readonly string[];
}

/** A value the evaluator could not determine. */
export const UNKNOWN: unique symbol = Symbol('unknown');
type Value = string | number | boolean | null | typeof UNKNOWN | RefValue;

/** `github.ref` under a context: compared symbolically. */
interface RefValue {
  readonly kind: 'ref';
  readonly ctx: EventContext;
}

// Real conditions are a line or two; a longer one is not worth deciding (it may run).
const MAX_LENGTH = 4096;

const PR_EVENTS = new Set([
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'pull_request_target',
]);

/** One context per trigger of the workflow (a `workflow_call` gives an any-event context). */
export function triggerContexts(workflow: WorkflowModel): Map<string, EventContext> {
  const out = new Map<string, EventContext>();
  for (const name of workflow.triggers.keys()) out.set(name, contextFor(workflow, name));
  return out;
}

/** The context of one trigger name of `workflow`. */
export function contextFor(workflow: WorkflowModel, name: string): EventContext {
  switch (name) {
    case 'workflow_call':
      return { event: undefined, ref: 'any' };
    case 'workflow_dispatch':
    case 'repository_dispatch':
      return { event: name, ref: 'any' };
    case 'pull_request':
    case 'pull_request_review':
    case 'pull_request_review_comment':
      return { event: name, ref: 'pull' };
    case 'release':
      return { event: name, ref: 'tag' };
    case 'push': {
      const push = workflow.on?.kind === 'map' ? workflow.on.entries.get('push')?.value : undefined;
      if (push?.kind !== 'map') return { event: name, ref: 'any' };
      const keys = push.entries;
      const tags = keys.has('tags') || keys.has('tags-ignore');
      const branches = keys.has('branches') || keys.has('branches-ignore');
      // GitHub: with only tag filters, branch pushes do not run the workflow, and vice versa.
      if (tags && !branches) {
        const patterns = scalarsUnder(keys.get('tags')?.value).map((s) => s.text.trim());
        return patterns.length > 0 && !keys.has('tags-ignore')
          ? { event: name, ref: 'tag', tagPatterns: patterns }
          : { event: name, ref: 'tag' };
      }
      if (branches && !tags) return { event: name, ref: 'branch' };
      return { event: name, ref: 'any' };
    }
    default:
      // schedule, issue_comment, workflow_run, pull_request_target, merge_group …: a branch.
      return { event: name, ref: 'branch' };
  }
}

/**
 * Whether a job or step `if:` may be true under `ctx`. A missing condition, one that is not a
 * single expression (ci/unsound-condition's "always true"), or one the evaluator cannot decide
 * may run.
 */
export function mayRun(condition: YScalar | string | undefined, ctx: EventContext): boolean {
  if (condition === undefined) return true;
  const text = (typeof condition === 'string' ? condition : condition.text).trim();
  if (text === '') return true;
  const body = conditionBody(text);
  if (body === undefined) return true;
  const value = evaluate(body, ctx);
  return value === UNKNOWN || truthy(value) !== false;
}

/** The expression of an `if:` (with or without `${{ }}`), or undefined when mixed with text. */
function conditionBody(text: string): string | undefined {
  const expressions = findExpressions(text);
  if (expressions.length === 0) return text;
  const only = expressions[0];
  if (expressions.length === 1 && only?.start === 0 && only.end === text.length) return only.body;
  return undefined;
}

/** The value of one expression body under `ctx` (UNKNOWN when undecided). */
export function evaluate(body: string, ctx: EventContext): Value {
  const ast = parseBounded(body);
  return ast === undefined ? UNKNOWN : evalNode(ast, ctx);
}

/**
 * The string values an expression may produce (`cond && 'x' || ''` gives `x` and ``), not the
 * literals it compares against; undefined when some result is not a known literal.
 */
export function resultValues(body: string, ctx: EventContext = ANY_CONTEXT): string[] | undefined {
  const ast = parseBounded(body);
  if (ast === undefined) return undefined;
  const out = results(ast, ctx);
  return out === undefined ? undefined : [...new Set(out)];
}

// Rules ask whether the same `if:` may run under each trigger of a workflow, and workflows of a
// repository repeat their conditions: parsed trees (immutable) are kept for recent bodies. The
// cache is emptied whenever the bodies it holds reach CACHE_CHARS, so it stays small whatever
// the input.
const CACHE_CHARS = 64 * 1024;
const parsed = new Map<string, ExprNode | undefined>();
let parsedChars = 0;

function parseBounded(body: string): ExprNode | undefined {
  if (body.length > MAX_LENGTH) return undefined;
  const hit = parsed.get(body);
  if (hit !== undefined || parsed.has(body)) return hit;
  const ast = parseExpression(body);
  if (parsedChars + body.length > CACHE_CHARS) {
    parsed.clear();
    parsedChars = 0;
  }
  parsed.set(body, ast);
  parsedChars += body.length;
  return ast;
}

/** Any event, any ref. */
export const ANY_CONTEXT: EventContext = Object.freeze({ event: undefined, ref: 'any' });

/** Whether `value` is truthy as GitHub defines it; undefined for UNKNOWN. */
function truthy(value: Value): boolean | undefined {
  if (value === UNKNOWN) return undefined;
  if (typeof value === 'object' && value !== null) return true;
  if (value === null || value === false || value === '' || value === 0) return false;
  if (typeof value === 'number' && Number.isNaN(value)) return false;
  return true;
}

// ---- evaluation ----

function evalNode(node: ExprNode, ctx: EventContext): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'member':
      // A field of a call's or a group's value (`fromJSON(x).y`): not tracked.
      return UNKNOWN;
    case 'context':
      return lookup(node.path, ctx);
    case 'not': {
      const t = truthy(evalNode(node.operand, ctx));
      return t === undefined ? UNKNOWN : !t;
    }
    case 'call':
      return call(node.name, node.args, ctx);
    case 'binary': {
      if (node.op === '&&') {
        const a = evalNode(node.left, ctx);
        const ta = truthy(a);
        if (ta === false) return a;
        const b = evalNode(node.right, ctx);
        if (ta === true) return b;
        return truthy(b) === false ? false : UNKNOWN;
      }
      if (node.op === '||') {
        const a = evalNode(node.left, ctx);
        const ta = truthy(a);
        if (ta === true) return a;
        const b = evalNode(node.right, ctx);
        if (ta === false) return b;
        return truthy(b) === true ? true : UNKNOWN;
      }
      return compare(node.op, evalNode(node.left, ctx), evalNode(node.right, ctx));
    }
  }
}

function lookup(path: string, ctx: EventContext): Value {
  switch (path) {
    case 'github.event_name':
      return ctx.event ?? UNKNOWN;
    case 'github.ref':
      return ctx.ref === 'any' ? UNKNOWN : { kind: 'ref', ctx };
    case 'github.ref_type':
      if (ctx.ref === 'tag') return 'tag';
      if (ctx.ref === 'branch' || ctx.ref === 'pull') return 'branch';
      return UNKNOWN;
    case 'github.head_ref':
    case 'github.base_ref':
      // Set only for pull_request and pull_request_target runs.
      if (ctx.event === undefined) return UNKNOWN;
      return ctx.event === 'pull_request' || ctx.event === 'pull_request_target' ? UNKNOWN : '';
    default:
      break;
  }
  if (path === 'github.event.pull_request' || path.startsWith('github.event.pull_request.')) {
    // The payload of other events has no pull_request (workflow_run has pull_requests).
    if (ctx.event !== undefined && !PR_EVENTS.has(ctx.event)) return null;
  }
  return UNKNOWN;
}

function call(name: string, args: readonly ExprNode[], ctx: EventContext): Value {
  switch (name) {
    case 'always':
      return true;
    case 'cancelled':
      return false;
    case 'success':
    case 'failure':
      return UNKNOWN;
    case 'startswith':
    case 'endswith':
    case 'contains': {
      const [x, y] = [args[0], args[1]];
      if (x === undefined || y === undefined || args.length !== 2) return UNKNOWN;
      const a = evalNode(x, ctx);
      const b = evalNode(y, ctx);
      if (typeof b !== 'string') return UNKNOWN;
      if (isRef(a)) return refMatch(name, a.ctx, b.toLowerCase());
      if (typeof a !== 'string') return UNKNOWN;
      const [s, t] = [a.toLowerCase(), b.toLowerCase()];
      if (name === 'startswith') return s.startsWith(t);
      if (name === 'endswith') return s.endsWith(t);
      return s.includes(t);
    }
    default:
      return UNKNOWN;
  }
}

function isRef(value: Value): value is RefValue {
  return typeof value === 'object' && value !== null;
}

const REF_PREFIX = { tag: 'refs/tags/', branch: 'refs/heads/', pull: 'refs/pull/' } as const;

/** `startsWith(github.ref, s)` and friends, knowing only which kind of ref it is. */
function refMatch(fn: string, ctx: EventContext, s: string): Value {
  if (ctx.ref === 'any') return UNKNOWN;
  const prefix = REF_PREFIX[ctx.ref];
  if (fn === 'endswith') return UNKNOWN;
  if (fn === 'contains') {
    // `contains(github.ref, 'refs/tags')`: decided when it names a kind of ref.
    for (const [kind, p] of Object.entries(REF_PREFIX)) {
      if (s === p || s === p.slice(0, -1)) return kind === ctx.ref;
    }
    return UNKNOWN;
  }
  // startsWith
  if (prefix.startsWith(s)) return true;
  if (s.startsWith(prefix)) {
    const rest = s.slice(prefix.length);
    if (ctx.ref !== 'tag' || ctx.tagPatterns === undefined) return UNKNOWN;
    return tagPrefixMatch(ctx.tagPatterns, rest);
  }
  // Another kind's prefix (`refs/tags/` on a branch run): false.
  if (Object.values(REF_PREFIX).some((p) => s.startsWith(p) || p.startsWith(s))) return false;
  return s.startsWith('refs/') ? UNKNOWN : false;
}

/** Whether tags matching `patterns` start with `rest`: true for all, false for none, else UNKNOWN. */
function tagPrefixMatch(patterns: readonly string[], rest: string): Value {
  let all = true;
  let any = false;
  for (const pattern of patterns) {
    const literal = pattern.split(/[*?[{!+]/)[0] ?? '';
    const lower = literal.toLowerCase();
    if (lower.startsWith(rest)) any = true;
    else if (rest.startsWith(lower) && literal.length < pattern.length) {
      any = true;
      all = false;
    } else all = false;
  }
  if (all && any) return true;
  if (!any) return false;
  return UNKNOWN;
}

function compare(op: string, a: Value, b: Value): Value {
  if (isRef(a) || isRef(b)) {
    const ref = isRef(a) ? a : (b as RefValue);
    const other = isRef(a) ? b : a;
    if (typeof other !== 'string' || (op !== '==' && op !== '!=')) return UNKNOWN;
    const match = refEquals(ref.ctx, other.toLowerCase());
    if (match === UNKNOWN) return UNKNOWN;
    return op === '==' ? match : !match;
  }
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  let x: string | number | boolean | null = a;
  let y: string | number | boolean | null = b;
  if (typeof x === 'string' && typeof y === 'string') {
    x = x.toLowerCase();
    y = y.toLowerCase();
  } else if (typeof x !== typeof y || x === null || y === null) {
    // GitHub coerces mixed types to numbers ('' → 0, null → 0, true → 1, 'abc' → NaN).
    x = toNumber(x);
    y = toNumber(y);
  }
  switch (op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    default:
      return UNKNOWN;
  }
}

function refEquals(ctx: EventContext, s: string): Value {
  if (ctx.ref === 'any') return UNKNOWN;
  const prefix = REF_PREFIX[ctx.ref];
  if (!s.startsWith(prefix)) return false;
  if (ctx.ref === 'tag' && ctx.tagPatterns !== undefined) {
    return tagPrefixMatch(ctx.tagPatterns, s.slice(prefix.length)) === false ? false : UNKNOWN;
  }
  return UNKNOWN;
}

function toNumber(value: string | number | boolean | null): number {
  if (value === null) return 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  const trimmed = value.trim();
  if (trimmed === '') return 0;
  const n = Number(trimmed);
  return Number.isNaN(n) ? Number.NaN : n;
}

/** The possible string results of an expression (see resultValues). */
function results(node: ExprNode, ctx: EventContext): string[] | undefined {
  switch (node.kind) {
    case 'literal':
      return [node.value === null ? '' : String(node.value)];
    case 'binary': {
      if (node.op === '&&') {
        // `a && b`: b when a holds, otherwise a's falsy value ('' for display purposes).
        const t = truthy(evalNode(node.left, ctx));
        if (t === false) return [''];
        const right = results(node.right, ctx);
        if (right === undefined) return undefined;
        return t === true ? right : [...right, ''];
      }
      if (node.op === '||') {
        const left = results(node.left, ctx);
        const right = results(node.right, ctx);
        if (left === undefined || right === undefined) {
          // `x || 'default'` where x is unknown: undecidable.
          return undefined;
        }
        // Falsy left results fall through to the right.
        return [...left.filter((v) => v !== '' && v !== 'false' && v !== '0'), ...right];
      }
      return ['true', 'false'];
    }
    case 'not':
      return ['true', 'false'];
    case 'call':
    case 'context':
    case 'member': {
      const v = evalNode(node, ctx);
      if (v === UNKNOWN || isRef(v)) {
        // A condition in `a && b`'s left side is judged by truthiness; as a result it is unknown.
        return undefined;
      }
      return [v === null ? '' : String(v)];
    }
  }
}
