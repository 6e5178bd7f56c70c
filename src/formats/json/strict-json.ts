import { checkLimit, FormatError } from '../../core/errors.js';

/**
 * A parsed JSON value that keeps what JSON.parse loses: key order, duplicates, exact numbers, and
 * where each value starts (`at`) and ends (`end`, exclusive), as offsets of the text plus `base`.
 */
export type JsonValue =
  | {
      readonly kind: 'object';
      readonly entries: ReadonlyMap<string, JsonValue>;
      /** Each key's own range (quotes included); only from `parseStrictJson(…, { keys: true })`. */
      readonly keySpans?: ReadonlyMap<string, readonly [start: number, end: number]>;
      readonly at: number;
      readonly end: number;
    }
  | {
      readonly kind: 'array';
      readonly items: readonly JsonValue[];
      readonly at: number;
      readonly end: number;
    }
  | { readonly kind: 'string'; readonly value: string; readonly at: number; readonly end: number }
  /** `text` is the number exactly as written, so u64 values are not rounded. */
  | { readonly kind: 'number'; readonly text: string; readonly at: number; readonly end: number }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly at: number; readonly end: number }
  | { readonly kind: 'null'; readonly at: number; readonly end: number };

/** Options of `parseStrictJson`. */
export interface StrictJsonOptions {
  /** Record each object key's range (`keySpans`). */
  readonly keys?: boolean;
  /**
   * Accept `NaN`, `Infinity` and `-Infinity` as numbers, as Python's json module reads (and
   * writes: a trainer_state.json with a NaN loss) them; RFC 8259 and serde_json refuse them.
   */
  readonly nonFinite?: boolean;
}

/** serde_json's default recursion limit: deeper documents are refused as it refuses them. */
export const MAX_JSON_DEPTH = 128;
const DEPTH_MESSAGE = `JSON nested deeper than ${MAX_JSON_DEPTH}`;

/**
 * Parses `text` as one strict RFC 8259 JSON document (surrounding whitespace allowed), refusing a
 * repeated key in any object: JSON.parse keeps the last silently, and a second parser that keeps
 * the first reads another file (safetensors: "duplicate keys are disallowed").
 * Offsets in errors are `base` + the character index. Throws BAD_JSON for syntax errors,
 * BAD_STRUCTURE for a duplicate key, LIMIT_EXCEEDED past MAX_JSON_DEPTH. With `keys`, objects
 * also record each key's range (`keySpans`), for readers that locate findings on keys.
 */
export function parseStrictJson(
  text: string,
  base = 0,
  options: StrictJsonOptions = {},
): JsonValue {
  const p = new Parser(text, base, options.keys === true, options.nonFinite === true);
  p.ws();
  const value = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail('trailing characters after the JSON value');
  return value;
}

class Parser {
  pos = 0;
  constructor(
    private readonly s: string,
    private readonly base: number,
    private readonly keys = false,
    private readonly nonFinite = false,
  ) {}

  fail(message: string): never {
    throw new FormatError('BAD_JSON', message, this.base + this.pos);
  }

  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  value(depth: number): JsonValue {
    const at = this.base + this.pos;
    const c = this.s.charAt(this.pos);
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"': {
        const value = this.string();
        return { kind: 'string', value, at, end: this.base + this.pos };
      }
      case 't':
        this.literal('true');
        return { kind: 'boolean', value: true, at, end: this.base + this.pos };
      case 'f':
        this.literal('false');
        return { kind: 'boolean', value: false, at, end: this.base + this.pos };
      case 'n':
        this.literal('null');
        return { kind: 'null', at, end: this.base + this.pos };
      default: {
        const text = this.nonFinite ? (this.nonFiniteLiteral() ?? this.number()) : this.number();
        return { kind: 'number', text, at, end: this.base + this.pos };
      }
    }
  }

  private enter(depth: number): void {
    checkLimit(depth, MAX_JSON_DEPTH, 'JSON depth', this.base + this.pos, DEPTH_MESSAGE);
  }

  private object(depth: number): JsonValue {
    this.enter(depth);
    const at = this.base + this.pos;
    this.pos++;
    const entries = new Map<string, JsonValue>();
    const keySpans = this.keys ? new Map<string, readonly [number, number]>() : undefined;
    const done = (): JsonValue => ({
      kind: 'object',
      entries,
      ...(keySpans === undefined ? {} : { keySpans }),
      at,
      end: this.base + this.pos,
    });
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return done();
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('expected a string key');
      const keyAt = this.base + this.pos;
      const key = this.string();
      if (entries.has(key)) {
        throw new FormatError('BAD_STRUCTURE', `duplicate key ${JSON.stringify(key)}`, keyAt);
      }
      keySpans?.set(key, [keyAt, this.base + this.pos]);
      this.ws();
      if (this.s[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.ws();
      entries.set(key, this.value(depth));
      this.ws();
      const c = this.s[this.pos];
      this.pos++;
      if (c === '}') return done();
      if (c !== ',') {
        this.pos--;
        this.fail('expected "," or "}"');
      }
    }
  }

  private array(depth: number): JsonValue {
    this.enter(depth);
    const at = this.base + this.pos;
    this.pos++;
    const items: JsonValue[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items, at, end: this.base + this.pos };
    }
    for (;;) {
      this.ws();
      items.push(this.value(depth));
      this.ws();
      const c = this.s[this.pos];
      this.pos++;
      if (c === ']') return { kind: 'array', items, at, end: this.base + this.pos };
      if (c !== ',') {
        this.pos--;
        this.fail('expected "," or "]"');
      }
    }
  }

  /** `NaN`, `Infinity` or `-Infinity` at the cursor (consumed), else undefined. */
  private nonFiniteLiteral(): string | undefined {
    for (const word of ['NaN', 'Infinity', '-Infinity']) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return word;
      }
    }
    return undefined;
  }

  private literal(word: string): void {
    if (this.s.startsWith(word, this.pos)) this.pos += word.length;
    else this.fail('invalid literal');
  }

  private number(): string {
    // RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, scanned by hand (linear).
    const start = this.pos;
    if (this.s[this.pos] === '-') this.pos++;
    if (this.s[this.pos] === '0') this.pos++;
    else if (this.digits() === 0) this.fail('invalid number');
    if (this.s[this.pos] === '.') {
      this.pos++;
      if (this.digits() === 0) this.fail('invalid number fraction');
    }
    if (this.s[this.pos] === 'e' || this.s[this.pos] === 'E') {
      this.pos++;
      if (this.s[this.pos] === '+' || this.s[this.pos] === '-') this.pos++;
      if (this.digits() === 0) this.fail('invalid number exponent');
    }
    return this.s.slice(start, this.pos);
  }

  private digits(): number {
    const start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos - start;
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= this.s.length) this.fail('unterminated string');
      const c = this.s.charCodeAt(this.pos);
      if (c === 0x22) {
        out += this.s.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += this.s.slice(runStart, this.pos);
      const e = this.s.charAt(this.pos + 1);
      this.pos += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          out += this.unicodeEscape();
          break;
        default:
          this.pos -= 2;
          this.fail('invalid escape');
      }
      runStart = this.pos;
    }
  }

  /** A \uXXXX escape (after the `u`); surrogates must pair, as serde_json requires. */
  private unicodeEscape(): string {
    const hi = this.hex4();
    if (hi >= 0xdc00 && hi <= 0xdfff) this.fail('lone trailing surrogate');
    if (hi < 0xd800 || hi > 0xdbff) return String.fromCharCode(hi);
    if (this.s[this.pos] !== '\\' || this.s[this.pos + 1] !== 'u')
      this.fail('lone leading surrogate');
    this.pos += 2;
    const lo = this.hex4();
    if (lo < 0xdc00 || lo > 0xdfff) this.fail('invalid surrogate pair');
    return String.fromCharCode(hi, lo);
  }

  private hex4(): number {
    const h = this.s.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape');
    this.pos += 4;
    return Number.parseInt(h, 16);
  }
}

/**
 * A parsed value as plain JavaScript data, as JSON.parse would give it (numbers through
 * `Number`), for readers that check shapes by hand. Object keys become own data properties,
 * so a `"__proto__"` key stays a key and never sets a prototype. Depth is bounded by the parser.
 */
export function plainJson(value: JsonValue): unknown {
  switch (value.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, item] of value.entries) {
        Object.defineProperty(out, key, {
          value: plainJson(item),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'array':
      return value.items.map(plainJson);
    case 'string':
    case 'boolean':
      return value.value;
    case 'number':
      return Number(value.text);
    case 'null':
      return null;
  }
}
