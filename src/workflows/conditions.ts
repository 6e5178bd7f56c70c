/**
 * A small evaluator of GitHub Actions expressions under a trigger: enough to tell that a job or
 * step guarded by `if: startsWith(github.ref, 'refs/tags/')` never runs for a pull request, that a
 * cache toggle `${{ !startsWith(github.ref, 'refs/tags/') }}` is off for a tag push, and which
 * values `${{ cond && 'x' || '' }}` can take. Anything it cannot decide is UNKNOWN, and an UNKNOWN
 * condition counts as "may run": the evaluator only ever removes a finding when the condition is
 * provably false for that trigger.
 *
 * Bounded: the tokenizer is one linear pass; the parser recurses once per nesting level and gives
 * up (UNKNOWN) past MAX_NESTING, and expressions longer than MAX_LENGTH are not evaluated.
 */
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

const MAX_LENGTH = 4096;
const MAX_NESTING = 64;

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
  if (body.length > MAX_LENGTH) return UNKNOWN;
  const tokens = tokenize(body);
  if (tokens === undefined) return UNKNOWN;
  const parser = new Parser(tokens);
  const ast = parser.parse();
  if (ast === undefined) return UNKNOWN;
  return evalNode(ast, ctx);
}

/**
 * The string values an expression may produce (`cond && 'x' || ''` gives `x` and ``), not the
 * literals it compares against; undefined when some result is not a known literal.
 */
export function resultValues(body: string, ctx: EventContext = ANY_CONTEXT): string[] | undefined {
  if (body.length > MAX_LENGTH) return undefined;
  const tokens = tokenize(body);
  if (tokens === undefined) return undefined;
  const ast = new Parser(tokens).parse();
  if (ast === undefined) return undefined;
  const out = results(ast, ctx);
  return out === undefined ? undefined : [...new Set(out)];
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

// ---- tokens ----

type Token =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string };

function tokenize(body: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= body.length) return undefined;
        const d = body.charAt(i);
        if (d === "'") {
          if (body.charAt(i + 1) === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += d;
        i++;
      }
      out.push({ t: 'str', v });
      continue;
    }
    const two = body.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
      out.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('!<>(),[]'.includes(c)) {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    const number = /^(?:0x[0-9a-f]+|-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)/i.exec(body.slice(i, i + 64));
    if (number !== null && (c === '-' || (c >= '0' && c <= '9'))) {
      out.push({ t: 'num', v: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      // A dotted name (`github.event.pull_request.head.ref`, `steps.x.outputs.y`, `a.*.b`).
      let j = i;
      while (j < body.length && /[\w.*-]/.test(body.charAt(j))) j++;
      out.push({ t: 'id', v: body.slice(i, j) });
      i = j;
      continue;
    }
    return undefined;
  }
  return out;
}

// ---- syntax ----

type Node =
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'ctx'; path: string }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'not'; x: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'unknown' };

class Parser {
  private i = 0;
  private depth = 0;
  private failed = false;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): Node | undefined {
    const node = this.or();
    if (this.failed || this.i !== this.tokens.length) return undefined;
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t?.t === 'op' && t.v === v;
  }

  private fail(): Node {
    this.failed = true;
    this.i = this.tokens.length;
    return { k: 'unknown' };
  }

  private or(): Node {
    let a = this.and();
    while (!this.failed && this.isOp('||')) {
      this.i++;
      a = { k: 'bin', op: '||', a, b: this.and() };
    }
    return a;
  }

  private and(): Node {
    let a = this.compare();
    while (!this.failed && this.isOp('&&')) {
      this.i++;
      a = { k: 'bin', op: '&&', a, b: this.compare() };
    }
    return a;
  }

  private compare(): Node {
    let a = this.unary();
    for (;;) {
      const t = this.peek();
      if (this.failed || t?.t !== 'op' || !['==', '!=', '<', '>', '<=', '>='].includes(t.v)) break;
      this.i++;
      a = { k: 'bin', op: t.v, a, b: this.unary() };
    }
    return a;
  }

  private unary(): Node {
    if (this.isOp('!')) {
      this.i++;
      return { k: 'not', x: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    if (++this.depth > MAX_NESTING) return this.fail();
    try {
      const t = this.peek();
      if (t === undefined) return this.fail();
      this.i++;
      if (t.t === 'str') return { k: 'lit', v: t.v };
      if (t.t === 'num') return { k: 'lit', v: t.v };
      if (t.t === 'op') {
        if (t.v !== '(') return this.fail();
        const inner = this.or();
        if (!this.isOp(')')) return this.fail();
        this.i++;
        return inner;
      }
      const lower = t.v.toLowerCase();
      if (lower === 'true' || lower === 'false') return { k: 'lit', v: lower === 'true' };
      if (lower === 'null') return { k: 'lit', v: null };
      if (this.isOp('(')) {
        this.i++;
        const args: Node[] = [];
        if (!this.isOp(')')) {
          for (;;) {
            args.push(this.or());
            if (this.failed) return { k: 'unknown' };
            if (this.isOp(',')) {
              this.i++;
              continue;
            }
            break;
          }
        }
        if (!this.isOp(')')) return this.fail();
        this.i++;
        return this.index({ k: 'call', name: lower, args });
      }
      return this.index({ k: 'ctx', path: lower });
    } finally {
      this.depth--;
    }
  }

  /** `x[...]` and `.name` after an index: the value is not tracked. */
  private index(node: Node): Node {
    if (!this.isOp('[')) return node;
    while (this.isOp('[')) {
      this.i++;
      this.or();
      if (!this.isOp(']')) return this.fail();
      this.i++;
      const t = this.peek();
      if (t?.t === 'id' && t.v.startsWith('.')) this.i++;
    }
    return { k: 'unknown' };
  }
}

// ---- evaluation ----

function evalNode(node: Node, ctx: EventContext): Value {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'unknown':
      return UNKNOWN;
    case 'ctx':
      return lookup(node.path, ctx);
    case 'not': {
      const t = truthy(evalNode(node.x, ctx));
      return t === undefined ? UNKNOWN : !t;
    }
    case 'call':
      return call(node.name, node.args, ctx);
    case 'bin': {
      if (node.op === '&&') {
        const a = evalNode(node.a, ctx);
        const ta = truthy(a);
        if (ta === false) return a;
        const b = evalNode(node.b, ctx);
        if (ta === true) return b;
        return truthy(b) === false ? false : UNKNOWN;
      }
      if (node.op === '||') {
        const a = evalNode(node.a, ctx);
        const ta = truthy(a);
        if (ta === true) return a;
        const b = evalNode(node.b, ctx);
        if (ta === false) return b;
        return truthy(b) === true ? true : UNKNOWN;
      }
      return compare(node.op, evalNode(node.a, ctx), evalNode(node.b, ctx));
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

function call(name: string, args: readonly Node[], ctx: EventContext): Value {
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
function results(node: Node, ctx: EventContext): string[] | undefined {
  switch (node.k) {
    case 'lit':
      return [node.v === null ? '' : String(node.v)];
    case 'bin': {
      if (node.op === '&&') {
        // `a && b`: b when a holds, otherwise a's falsy value ('' for display purposes).
        const t = truthy(evalNode(node.a, ctx));
        if (t === false) return [''];
        const right = results(node.b, ctx);
        if (right === undefined) return undefined;
        return t === true ? right : [...right, ''];
      }
      if (node.op === '||') {
        const left = results(node.a, ctx);
        const right = results(node.b, ctx);
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
    case 'ctx':
    case 'unknown': {
      const v = evalNode(node, ctx);
      if (v === UNKNOWN || isRef(v)) {
        // A condition in `a && b`'s left side is judged by truthiness; as a result it is unknown.
        return undefined;
      }
      return [v === null ? '' : String(v)];
    }
  }
}
