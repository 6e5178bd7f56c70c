/**
 * A parser for the body of a GitHub Actions expression (`a && b || c`, `contains(x, 'y')`,
 * `fromJSON(x).field`), and the facts rules ask of it: which contexts can become the value, and
 * which literal a pseudo-ternary's true arm holds.
 *
 * The grammar is GitHub's (docs "Evaluate expressions"): literals (null, booleans, numbers,
 * '…' strings with '' escapes), context paths with `.name`, `.*` and `[…]`, function calls,
 * `!`, comparisons, `&&`, `||` and parentheses. Parsing is bounded: at most MAX_TOKENS tokens
 * and MAX_DEPTH nesting; anything beyond, or any syntax error, yields undefined and callers fall
 * back to the plain scanner in expressions.ts.
 */

/** A parsed expression node; offsets are relative to the expression body. */
export type ExprNode =
  | {
      readonly kind: 'literal';
      readonly value: string | number | boolean | null;
      readonly start: number;
      readonly end: number;
    }
  | {
      readonly kind: 'context';
      /** Lower-cased dotted path, `*` for a wildcard or computed index. */
      readonly path: string;
      readonly start: number;
      readonly end: number;
    }
  | {
      readonly kind: 'call';
      /** Lower-cased function name. */
      readonly name: string;
      readonly args: readonly ExprNode[];
      readonly start: number;
      readonly end: number;
    }
  | {
      /** `.field`, `.*` or `[…]` applied to something that is not a plain context (a call, a group). */
      readonly kind: 'member';
      readonly object: ExprNode;
      readonly start: number;
      readonly end: number;
    }
  | {
      readonly kind: 'not';
      readonly operand: ExprNode;
      readonly start: number;
      readonly end: number;
    }
  | {
      readonly kind: 'binary';
      readonly op: '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=';
      readonly left: ExprNode;
      readonly right: ExprNode;
      readonly start: number;
      readonly end: number;
    };

type Token =
  | { readonly t: 'str'; readonly value: string; readonly start: number; readonly end: number }
  | { readonly t: 'num'; readonly value: number; readonly start: number; readonly end: number }
  | { readonly t: 'ident'; readonly value: string; readonly start: number; readonly end: number }
  | { readonly t: 'op'; readonly value: string; readonly start: number; readonly end: number };

// Real expressions hold a few dozen tokens; a crafted one cannot make the parser work harder
// than this, nor recurse deeper than MAX_DEPTH (the call stack stays small).
const MAX_TOKENS = 4096;
const MAX_DEPTH = 64;

// Character classes of the tokenizer, by UTF-16 code (a regular expression per character was
// a measurable share of the workflow audit).
function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isIdentStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isIdentPart(code: number): boolean {
  return isIdentStart(code) || isDigit(code) || code === 45;
}

/**
 * The operator at `i` (`&&`, `||`, `==`, `!=`, `<=`, `>=`, `<`, `>`, `!`, `(`, `)`, `[`, `]`,
 * `.`, `,`, `*`), longest first; undefined for any other character (a lone `&`, `|` or `=`).
 */
function operatorAt(body: string, i: number): string | undefined {
  const c = body.charAt(i);
  // Reads stay inside the string: past its end V8 would throw away the optimised tokenizer.
  const next = i + 1 < body.length ? body.charAt(i + 1) : '';
  switch (c) {
    case '&':
    case '|':
    case '=':
      return next === c ? c + c : undefined;
    case '!':
    case '<':
    case '>':
      return next === '=' ? c + '=' : c;
    case '(':
    case ')':
    case '[':
    case ']':
    case '.':
    case ',':
    case '*':
      return c;
    default:
      return undefined;
  }
}

function tokenize(body: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < body.length) {
    if (out.length > MAX_TOKENS) return undefined;
    const code = body.charCodeAt(i);
    // space, tab, newline, carriage return
    if (code === 32 || code === 9 || code === 10 || code === 13) {
      i++;
      continue;
    }
    const start = i;
    if (code === 39) {
      // '…' with '' for a quote: the text between quotes is taken a run at a time.
      let value = '';
      i++;
      for (;;) {
        const quote = body.indexOf("'", i);
        if (quote < 0) return undefined;
        value += body.slice(i, quote);
        if (quote + 1 < body.length && body.charCodeAt(quote + 1) === 39) {
          value += "'";
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      out.push({ t: 'str', value, start, end: i });
      continue;
    }
    if (isDigit(code) || (code === 45 && i + 1 < body.length && isDigit(body.charCodeAt(i + 1)))) {
      const m = /^-?(?:0x[0-9a-f]+|[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)/i.exec(
        body.slice(i, i + 64),
      );
      if (m === null) return undefined;
      i += m[0].length;
      out.push({ t: 'num', value: Number(m[0]), start, end: i });
      continue;
    }
    if (isIdentStart(code)) {
      let j = i + 1;
      while (j < body.length && isIdentPart(body.charCodeAt(j))) j++;
      out.push({ t: 'ident', value: body.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    const op = operatorAt(body, i);
    if (op === undefined) return undefined;
    i += op.length;
    out.push({ t: 'op', value: op, start, end: i });
  }
  return out;
}

/**
 * Binding levels of the binary operators, loosest first: `||`, `&&`, `==`/`!=`, then
 * `<`/`<=`/`>`/`>=`; -1 for any other token.
 */
function binaryLevel(op: string): number {
  switch (op) {
    case '||':
      return 0;
    case '&&':
      return 1;
    case '==':
    case '!=':
      return 2;
    case '<':
    case '<=':
    case '>':
    case '>=':
      return 3;
    default:
      return -1;
  }
}

const LAST_BINARY_LEVEL = 3;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): ExprNode | undefined {
    const node = this.or();
    return node !== undefined && this.pos === this.tokens.length ? node : undefined;
  }

  private peekOp(value: string): boolean {
    const t = this.tokens[this.pos];
    return t?.t === 'op' && t.value === value;
  }

  private enter(): boolean {
    this.depth++;
    return this.depth <= MAX_DEPTH;
  }

  /**
   * The left-associative chain of operators of `level` (see binaryLevel) over operands of the
   * next tighter level; one method for every level, rather than one per level with a closure
   * for the next, keeps the parser small for V8 to compile.
   */
  private binary(level: number): ExprNode | undefined {
    let left = level === LAST_BINARY_LEVEL ? this.unary() : this.binary(level + 1);
    while (left !== undefined) {
      const t = this.tokens[this.pos];
      if (t?.t !== 'op' || binaryLevel(t.value) !== level) break;
      this.pos++;
      const right = level === LAST_BINARY_LEVEL ? this.unary() : this.binary(level + 1);
      if (right === undefined) return undefined;
      left = {
        kind: 'binary',
        op: t.value as '&&',
        left,
        right,
        start: left.start,
        end: right.end,
      };
    }
    return left;
  }

  private or(): ExprNode | undefined {
    if (!this.enter()) return undefined;
    const node = this.binary(0);
    this.depth--;
    return node;
  }

  private unary(): ExprNode | undefined {
    const t = this.tokens[this.pos];
    if (t?.t === 'op' && t.value === '!') {
      this.pos++;
      if (!this.enter()) return undefined;
      const operand = this.unary();
      this.depth--;
      return operand === undefined
        ? undefined
        : { kind: 'not', operand, start: t.start, end: operand.end };
    }
    return this.postfix();
  }

  private postfix(): ExprNode | undefined {
    let node = this.primary();
    while (node !== undefined) {
      if (this.peekOp('.')) {
        this.pos++;
        const t = this.tokens[this.pos];
        let segment: string;
        if (t?.t === 'ident') segment = t.value.toLowerCase();
        else if (t?.t === 'op' && t.value === '*') segment = '*';
        else return undefined;
        this.pos++;
        node = extend(node, segment, t.end);
      } else if (this.peekOp('[')) {
        this.pos++;
        const open = this.pos;
        const inner = this.peekOp('*') ? undefined : this.or();
        if (inner === undefined) {
          if (!this.peekOp('*') || open !== this.pos) return undefined;
          this.pos++;
        }
        const close = this.tokens[this.pos];
        if (close?.t !== 'op' || close.value !== ']') return undefined;
        this.pos++;
        const segment =
          inner?.kind === 'literal' && typeof inner.value === 'string'
            ? inner.value.toLowerCase()
            : '*';
        node = extend(node, segment, close.end);
      } else break;
    }
    return node;
  }

  private primary(): ExprNode | undefined {
    const t = this.tokens[this.pos];
    if (t === undefined) return undefined;
    this.pos++;
    if (t.t === 'str' || t.t === 'num') {
      return { kind: 'literal', value: t.value, start: t.start, end: t.end };
    }
    if (t.t === 'ident') {
      const lower = t.value.toLowerCase();
      if (this.peekOp('(')) {
        this.pos++;
        const args: ExprNode[] = [];
        if (!this.peekOp(')')) {
          for (;;) {
            const arg = this.or();
            if (arg === undefined) return undefined;
            args.push(arg);
            if (this.peekOp(',')) {
              this.pos++;
              continue;
            }
            break;
          }
        }
        const close = this.tokens[this.pos];
        if (close?.t !== 'op' || close.value !== ')') return undefined;
        this.pos++;
        return { kind: 'call', name: lower, args, start: t.start, end: close.end };
      }
      if (lower === 'true' || lower === 'false') {
        return { kind: 'literal', value: lower === 'true', start: t.start, end: t.end };
      }
      if (lower === 'null') return { kind: 'literal', value: null, start: t.start, end: t.end };
      return { kind: 'context', path: lower, start: t.start, end: t.end };
    }
    if (t.value === '(') {
      const inner = this.or();
      const close = this.tokens[this.pos];
      if (inner === undefined || close?.t !== 'op' || close.value !== ')') return undefined;
      this.pos++;
      return inner;
    }
    return undefined;
  }
}

function extend(node: ExprNode, segment: string, end: number): ExprNode {
  if (node.kind === 'context') {
    return { kind: 'context', path: `${node.path}.${segment}`, start: node.start, end };
  }
  return { kind: 'member', object: node, start: node.start, end };
}

/** Parses an expression body (the text between `${{` and `}}`); undefined when it is not valid. */
export function parseExpression(body: string): ExprNode | undefined {
  const tokens = tokenize(body);
  if (tokens === undefined || tokens.length === 0) return undefined;
  return new Parser(tokens).parseAll();
}

// Functions whose result is a boolean or a number (or a hash): no argument text reaches it.
const OPAQUE_FUNCTIONS = new Set([
  'contains',
  'startswith',
  'endswith',
  'success',
  'failure',
  'always',
  'cancelled',
  'hashfiles',
]);

/** A context whose value can become (part of) the expression's value, and how it got there. */
export interface FlowingContext {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  /** It reached the value serialised by `toJSON()` (whole objects then carry their text). */
  readonly viaToJson: boolean;
}

/**
 * The contexts whose text can reach the value of `node`. Comparisons, `!`, and boolean functions
 * (contains, startsWith …) yield booleans, so nothing flows through them; `a && b` yields `b`
 * unless `a` is falsy (false, 0, '' or null, which carry no attacker text), so only `b` flows;
 * `a || b` may yield either.
 */
export function flowingContexts(node: ExprNode, viaToJson = false): FlowingContext[] {
  switch (node.kind) {
    case 'literal':
    case 'not':
      return [];
    case 'context':
      return [{ path: node.path, start: node.start, end: node.end, viaToJson }];
    case 'member':
      return flowingContexts(node.object, viaToJson);
    case 'binary':
      if (node.op === '||') {
        return [
          ...flowingContexts(node.left, viaToJson),
          ...flowingContexts(node.right, viaToJson),
        ];
      }
      if (node.op === '&&') return flowingContexts(node.right, viaToJson);
      return [];
    case 'call': {
      if (OPAQUE_FUNCTIONS.has(node.name)) return [];
      if (node.name === 'case') {
        // case(pred1, value1, pred2, value2, …, default): only the values flow.
        const values = node.args.filter((_, i) => i % 2 === 1 || i === node.args.length - 1);
        return values.flatMap((a) => flowingContexts(a, viaToJson));
      }
      const json = viaToJson || node.name === 'tojson';
      // format, join, toJSON, fromJSON and any unknown function: every argument may flow.
      return node.args.flatMap((a) => flowingContexts(a, json));
    }
  }
}

/** A literal's truthiness as GitHub defines it: false, 0, -0, NaN, '' and null are falsy. */
export function isFalsyLiteral(node: ExprNode): boolean {
  if (node.kind !== 'literal') return false;
  const v = node.value;
  return v === null || v === false || v === '' || v === 0 || Number.isNaN(v);
}

/** Every node of the tree, parents before children (for rules that look for a shape). */
export function walkExpression(node: ExprNode): ExprNode[] {
  const out: ExprNode[] = [];
  const stack: ExprNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === undefined) break;
    out.push(n);
    if (n.kind === 'binary') stack.push(n.right, n.left);
    else if (n.kind === 'not') stack.push(n.operand);
    else if (n.kind === 'member') stack.push(n.object);
    else if (n.kind === 'call') stack.push(...[...n.args].reverse());
  }
  return out;
}
