import { checkLimit, FormatError } from '../../core/errors.js';

/**
 * A Python literal as `ast.literal_eval` would produce it, restricted to what a .npy header can
 * hold. Dict keys are kept in a Map in source order; integers as bigint (Python ints are exact).
 */
export type PyLiteral =
  | { readonly kind: 'dict'; readonly entries: ReadonlyMap<string, PyLiteral>; readonly at: number }
  | { readonly kind: 'tuple' | 'list'; readonly items: readonly PyLiteral[]; readonly at: number }
  | { readonly kind: 'str'; readonly value: string; readonly at: number }
  | { readonly kind: 'int'; readonly value: bigint; readonly at: number }
  | { readonly kind: 'bool'; readonly value: boolean; readonly at: number }
  | { readonly kind: 'none'; readonly at: number };

/** Deepest nesting accepted; numpy headers need 3-4 levels for nested structured dtypes. */
export const MAX_LITERAL_DEPTH = 32;
const DEPTH_MESSAGE = `literal nested deeper than ${MAX_LITERAL_DEPTH}`;

/**
 * Parses `text` as one Python literal of the subset above: dicts with string keys, tuples, lists,
 * single- or double-quoted strings (with the common escapes), decimal integers with an optional
 * sign, True, False, None. It never evaluates anything: a name, call, attribute or operator is a
 * syntax error (numpy itself uses ast.literal_eval, which refuses them too).
 * Offsets in errors are `base` + the character index. Throws BAD_STRUCTURE, LIMIT_EXCEEDED past
 * MAX_LITERAL_DEPTH.
 */
export function parsePyLiteral(text: string, base = 0): PyLiteral {
  const p = new LiteralParser(text, base);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail('unexpected text after the literal');
  return v;
}

const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['0', '\0'],
]);

class LiteralParser {
  pos = 0;
  constructor(
    private readonly s: string,
    private readonly base: number,
  ) {}

  fail(message: string): never {
    throw new FormatError('BAD_STRUCTURE', `header literal: ${message}`, this.base + this.pos);
  }

  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charAt(this.pos);
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return;
      this.pos++;
    }
  }

  value(depth: number): PyLiteral {
    checkLimit(depth, MAX_LITERAL_DEPTH, 'literal depth', this.base + this.pos, DEPTH_MESSAGE);
    const at = this.base + this.pos;
    const c = this.s.charAt(this.pos);
    if (c === '{') return this.dict(depth + 1, at);
    if (c === '(') return this.sequence('tuple', ')', depth + 1, at);
    if (c === '[') return this.sequence('list', ']', depth + 1, at);
    if (c === "'" || c === '"') return { kind: 'str', value: this.str(), at };
    if (this.word('True')) return { kind: 'bool', value: true, at };
    if (this.word('False')) return { kind: 'bool', value: false, at };
    if (this.word('None')) return { kind: 'none', at };
    return { kind: 'int', value: this.int(), at };
  }

  private word(w: string): boolean {
    if (!this.s.startsWith(w, this.pos)) return false;
    const next = this.s.charAt(this.pos + w.length);
    if (/\w/.test(next)) return false;
    this.pos += w.length;
    return true;
  }

  private dict(depth: number, at: number): PyLiteral {
    this.pos++;
    const entries = new Map<string, PyLiteral>();
    for (;;) {
      this.ws();
      if (this.s.charAt(this.pos) === '}') {
        this.pos++;
        return { kind: 'dict', entries, at };
      }
      const key = this.value(depth);
      if (key.kind !== 'str') this.fail('dict keys must be strings');
      this.ws();
      if (this.s.charAt(this.pos) !== ':') this.fail('expected ":"');
      this.pos++;
      this.ws();
      // Python keeps the last duplicate; numpy then checks the key set. A repeated key is a
      // parser-disagreement lever, so refuse it.
      if (entries.has(key.value)) this.fail(`duplicate key ${JSON.stringify(key.value)}`);
      entries.set(key.value, this.value(depth));
      this.ws();
      const c = this.s.charAt(this.pos);
      if (c === ',') this.pos++;
      else if (c !== '}') this.fail('expected "," or "}"');
    }
  }

  private sequence(kind: 'tuple' | 'list', close: string, depth: number, at: number): PyLiteral {
    this.pos++;
    const items: PyLiteral[] = [];
    let sawComma = false;
    for (;;) {
      this.ws();
      if (this.s.charAt(this.pos) === close) {
        this.pos++;
        // `(x)` is x itself, not a tuple; `(x,)` is a 1-tuple.
        const [only] = items;
        if (kind === 'tuple' && items.length === 1 && !sawComma && only !== undefined) return only;
        return { kind, items, at };
      }
      items.push(this.value(depth));
      this.ws();
      const c = this.s.charAt(this.pos);
      if (c === ',') {
        this.pos++;
        sawComma = true;
      } else if (c !== close) this.fail(`expected "," or "${close}"`);
    }
  }

  private int(): bigint {
    const start = this.pos;
    let sign = 1n;
    if (this.s.charAt(this.pos) === '-' || this.s.charAt(this.pos) === '+') {
      if (this.s.charAt(this.pos) === '-') sign = -1n;
      this.pos++;
      this.ws();
    }
    const digitsStart = this.pos;
    while (/[\d_]/.test(this.s.charAt(this.pos))) this.pos++;
    const digits = this.s.slice(digitsStart, this.pos);
    // Python: no leading zeros except 0 itself; underscores only between digits.
    if (!/^(?:0(?:_?0)*|[1-9](?:_?\d)*)$/.test(digits)) {
      this.pos = start;
      this.fail('expected a literal');
    }
    // A trailing L (Python 2 long) or a dot (float) is not part of a valid header.
    if (/[\w.]/.test(this.s.charAt(this.pos))) this.fail('unsupported number literal');
    return sign * BigInt(digits.replaceAll('_', ''));
  }

  private str(): string {
    const quote = this.s.charAt(this.pos);
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) this.fail('unterminated string');
      const c = this.s.charAt(this.pos);
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === '\n') this.fail('newline in string');
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.s.charAt(this.pos + 1);
      this.pos += 2;
      const mapped = SIMPLE_ESCAPES.get(e);
      if (mapped !== undefined) out += mapped;
      else if (e === 'x' || e === 'u') {
        const n = e === 'x' ? 2 : 4;
        const hex = this.s.slice(this.pos, this.pos + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) this.fail('bad escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.pos += n;
      } else this.fail('unsupported escape');
    }
  }
}
