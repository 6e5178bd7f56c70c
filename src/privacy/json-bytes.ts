/**
 * One pass over the UTF-8 bytes of a JSON record that checks its grammar (RFC 8259, as
 * JSON.parse accepts it after UTF-8 decoding) and yields the strings and numbers the privacy
 * scan searches, without building the record's object tree: the JSONL fast path of
 * records.ts. Pure ASCII strings without escapes are sliced as latin1 (the same string, built
 * with a copy); only strings holding an escape or a non-ASCII byte are decoded. Whatever this
 * scanner cannot settle exactly as JSON.parse plus walkJson would (a key that is escaped,
 * non-ASCII, all digits or repeated; deep nesting; many keys) it reports as UNSURE and the
 * caller takes the JSON.parse path for that record.
 */

import type { KeywordSearch } from './keywords.js';

/** JsonRecordScanner.scan: the record is valid JSON; `values` and `inert` are filled. */
export const RECORD_OK = 0;
/** JsonRecordScanner.scan: only JSON whitespace (the caller skips the record). */
export const RECORD_BLANK = 1;
/** JsonRecordScanner.scan: not valid JSON (JSON.parse would throw). */
export const RECORD_INVALID = 2;
/** JsonRecordScanner.scan: valid or not, the caller must decide with JSON.parse (see the file comment). */
export const RECORD_UNSURE = 3;
/**
 * JsonRecordScanner.scan: a secret rule's keyword occurs in the record (or U+212A or U+0130, which only
 * the decoded text can judge), so no value may be skipped as inert: the caller takes the text
 * path. Valid or not.
 */
export const RECORD_KEYWORD = 4;
/** What scanJsonRecord says about a record. */
export type RecordVerdict =
  | typeof RECORD_OK
  | typeof RECORD_BLANK
  | typeof RECORD_INVALID
  | typeof RECORD_UNSURE
  | typeof RECORD_KEYWORD;

/** One value to hand to the detector: its text as walkJson would give it, and its key path. */
export interface JsonValue {
  readonly text: string;
  readonly column: string;
}

/**
 * Containers deeper than this make the record UNSURE (walkJson's limit, 512, is then applied by
 * the JSON.parse path); keeps the scanner's stack small and fixed.
 */
const MAX_DEPTH = 64;
/** Keys remembered per record for the duplicate check; more make the record UNSURE. */
const MAX_KEYS = 256;

// Byte classes inside a string: the common case (printable ASCII that no recogniser needs) is 0.
const PLAIN = 0;
const LIVE = 1; // a digit or '@': some recogniser may match
const QUOTE = 2;
const BACKSLASH = 3;
const CONTROL = 4; // U+0000..U+001F must be escaped (RFC 8259 section 7)
const HIGH = 5; // a byte of a multi-byte (or invalid) UTF-8 sequence
const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  STRING_CLASS[c] =
    c < 0x20
      ? CONTROL
      : c >= 0x80
        ? HIGH
        : c === 0x22
          ? QUOTE
          : c === 0x5c
            ? BACKSLASH
            : (c >= 0x30 && c <= 0x39) || c === 0x40
              ? LIVE
              : PLAIN;
}
/** 1 for the hex digits of a \u escape. */
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;
/** 1 for the characters allowed after a backslash other than u (RFC 8259 section 7). */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

/** A search table in which no keyword ever ends (state 0 throughout): no secret rules. */
const NO_KEYWORDS = new Int32Array(128);

const ARRAY = 1;
const OBJECT = 2;

/**
 * Scans JSON records held as UTF-8 bytes. Reusable: one instance per reader, no allocation per
 * record beyond the values it hands out.
 */
export class JsonRecordScanner {
  /** The live values of the last OK record, in walkJson's order. */
  readonly values: JsonValue[] = [];
  /** How many values of the last OK record were inert (not in `values`). */
  inert = 0;

  private readonly kind = new Uint8Array(MAX_DEPTH);
  /** Per container: index in keyStart/keyEnd of its first key, and of its current key. */
  private readonly firstKey = new Int32Array(MAX_DEPTH);
  private readonly currentKey = new Int32Array(MAX_DEPTH);
  private readonly keyStart = new Int32Array(MAX_KEYS);
  private readonly keyEnd = new Int32Array(MAX_KEYS);
  private readonly dfa: Int32Array;
  /** The keyword search: bytes before `searched` are searched, `state` is where it stands. */
  private searched = 0;
  private state = 0;

  /**
   * @param isInert the caller's test for a decoded string or a number that cannot hold a hit
   *   (records.ts inertValue); pure ASCII strings without escapes and short integers are
   *   decided here with the same rule.
   * @param keywords the secret rules' keyword search, run over every byte of a record in the
   *   same pass (as `keywords.any(line)` over its text); null when there are no secret rules.
   */
  constructor(
    private readonly isInert: (value: string | number) => boolean,
    keywords: KeywordSearch | null,
  ) {
    this.dfa = keywords === null ? NO_KEYWORDS : keywords.table;
  }

  /**
   * Scans `b[start, end)` (one record, without its line break). On RECORD_OK, `values` holds
   * the values that may hold a hit with their key paths (walkJson's `messages[].content`) and
   * `inert` counts the others. Never throws on any input; time is linear in the bytes.
   */
  scan(b: Buffer, start: number, end: number): RecordVerdict {
    this.values.length = 0;
    this.inert = 0;
    this.searched = start;
    this.state = 0;
    const kind = this.kind;
    let depth = 0;
    let keys = 0;
    let i = skipWhitespace(b, start, end);
    if (i === end) return RECORD_BLANK;
    // The grammar as a loop: `i` is at the start of a value; after it, a separator or a close.
    for (;;) {
      if (i >= end) return RECORD_INVALID;
      let c = b[i] ?? 0;
      if (c === 0x7b || c === 0x5b) {
        // '{' or '['
        if (depth >= MAX_DEPTH) return RECORD_UNSURE;
        i = skipWhitespace(b, i + 1, end);
        if (c === 0x5b) {
          kind[depth++] = ARRAY;
          if (i < end && b[i] === 0x5d) {
            depth--;
            i++;
          } else continue;
        } else {
          kind[depth] = OBJECT;
          this.firstKey[depth] = keys;
          depth++;
          if (i < end && b[i] === 0x7d) {
            depth--;
            i++;
          } else {
            // The first key.
            if (keys >= MAX_KEYS) return RECORD_UNSURE;
            const k = this.key(b, i, end, keys, depth - 1);
            if (k < 0) return k === -1 ? RECORD_INVALID : RECORD_UNSURE;
            keys++;
            i = k;
            continue;
          }
        }
      } else if (c === 0x22) {
        i = this.stringValue(b, i, end, depth);
        if (i < 0) return i === -3 ? RECORD_KEYWORD : RECORD_INVALID;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        i = this.number(b, i, end, depth);
        if (i < 0) return RECORD_INVALID;
      } else if (c === 0x74) {
        // true
        if (b[i + 1] !== 0x72 || b[i + 2] !== 0x75 || b[i + 3] !== 0x65 || i + 4 > end)
          return RECORD_INVALID;
        i += 4;
      } else if (c === 0x66) {
        // false
        if (
          b[i + 1] !== 0x61 ||
          b[i + 2] !== 0x6c ||
          b[i + 3] !== 0x73 ||
          b[i + 4] !== 0x65 ||
          i + 5 > end
        )
          return RECORD_INVALID;
        i += 5;
      } else if (c === 0x6e) {
        // null
        if (b[i + 1] !== 0x75 || b[i + 2] !== 0x6c || b[i + 3] !== 0x6c || i + 4 > end)
          return RECORD_INVALID;
        i += 4;
      } else return RECORD_INVALID;
      // After a value: close containers, or a comma and the next value (or key).
      for (;;) {
        i = skipWhitespace(b, i, end);
        if (depth === 0) {
          if (i !== end) return RECORD_INVALID;
          return this.search(b, end, end) ? RECORD_KEYWORD : RECORD_OK;
        }
        if (i >= end) return RECORD_INVALID;
        c = b[i] ?? 0;
        const top = kind[depth - 1];
        if (c === 0x2c) {
          // ','
          i = skipWhitespace(b, i + 1, end);
          if (i >= end) return RECORD_INVALID;
          if (top === OBJECT) {
            if (keys >= MAX_KEYS) return RECORD_UNSURE;
            const k = this.key(b, i, end, keys, depth - 1);
            if (k < 0) return k === -1 ? RECORD_INVALID : RECORD_UNSURE;
            keys++;
            i = k;
          }
          break;
        }
        if ((c === 0x5d && top === ARRAY) || (c === 0x7d && top === OBJECT)) {
          depth--;
          // An object's keys are forgotten when it closes: the duplicate check is per object.
          if (top === OBJECT) keys = this.firstKey[depth] ?? 0;
          i++;
          continue;
        }
        return RECORD_INVALID;
      }
    }
  }

  /**
   * A key at `i`, its colon and the whitespace after it; returns the index of the value, -1
   * when invalid, -2 when UNSURE (an escaped, non-ASCII or all-digit key, whose enumeration
   * order or identity only JSON.parse settles simply, or a key the object already has: the
   * last value wins in JSON.parse but at the first key's place).
   */
  private key(b: Buffer, i: number, end: number, slot: number, container: number): number {
    if (i >= end || b[i] !== 0x22) return -1;
    const start = i + 1;
    let j = start;
    let digits = true;
    for (;;) {
      if (j >= end) return -1;
      const c = b[j] ?? 0;
      if (c === 0x22) break;
      const cls = STRING_CLASS[c];
      if (cls === CONTROL) return -1;
      if (cls === BACKSLASH || cls === HIGH) {
        // Check the rest for validity first: an invalid record is reported as such.
        const close = this.skipString(b, i, end);
        return close < 0 ? -1 : -2;
      }
      if (c < 0x30 || c > 0x39) digits = false;
      j++;
    }
    // An all-digit key may be an array index, which objects enumerate first.
    if (digits) {
      const close = skipWhitespace(b, j + 1, end);
      return close < end && b[close] === 0x3a ? -2 : -1;
    }
    const length = j - start;
    for (let k = this.firstKey[container] ?? 0; k < slot; k++) {
      const s = this.keyStart[k] ?? 0;
      if ((this.keyEnd[k] ?? 0) - s !== length) continue;
      let same = true;
      for (let m = 0; m < length; m++) {
        if (b[s + m] !== b[start + m]) {
          same = false;
          break;
        }
      }
      if (same) {
        const close = skipWhitespace(b, j + 1, end);
        return close < end && b[close] === 0x3a ? -2 : -1;
      }
    }
    this.keyStart[slot] = start;
    this.keyEnd[slot] = j;
    this.currentKey[container] = slot;
    j = skipWhitespace(b, j + 1, end);
    if (b[j] !== 0x3a || j >= end) return -1;
    j = skipWhitespace(b, j + 1, end);
    return j >= end ? -1 : j;
  }

  /** The index after the closing quote of the string at `i`, or -1 when it is not valid. */
  private skipString(b: Buffer, i: number, end: number): number {
    let j = i + 1;
    for (;;) {
      if (j >= end) return -1;
      const cls = STRING_CLASS[b[j] ?? 0];
      if (cls === QUOTE) return j + 1;
      if (cls === CONTROL) return -1;
      if (cls === BACKSLASH) {
        j = escapeEnd(b, j, end);
        if (j < 0) return -1;
      } else j++;
    }
  }

  /**
   * A string value at `i`: checked, counted or kept, the keyword search run over it; the index
   * after it, -1 (invalid) or -3 (a keyword).
   */
  private stringValue(b: Buffer, i: number, end: number, depth: number): number {
    if (this.search(b, i + 1, end)) return -3;
    const dfa = this.dfa;
    let state = this.state;
    let j = i + 1;
    let live = 0;
    let decode = false;
    // The hot loop of the whole scan: one class lookup and one search step per byte.
    for (;;) {
      if (j >= end) return -1;
      const c = b[j] ?? 0;
      const cls = STRING_CLASS[c] ?? 0;
      if (cls <= LIVE) {
        state = dfa[state + c] ?? 0;
        if (state < 0) return -3;
        live |= cls;
        j++;
        continue;
      }
      this.state = state;
      this.searched = j;
      if (cls === QUOTE) break;
      if (cls === HIGH) {
        decode = true;
        j++;
      } else if (cls === BACKSLASH) {
        decode = true;
        j = escapeEnd(b, j, end);
        if (j < 0) return -1;
      } else return -1; // CONTROL
      if (this.search(b, j, end)) return -3;
      state = this.state;
    }
    if (decode) {
      // The bytes between two ASCII quotes decode as they do within the whole record (no
      // UTF-8 sequence spans an ASCII byte), and JSON.parse unescapes them as it would there.
      const text = JSON.parse(b.toString('utf8', i, j + 1)) as string;
      if (this.isInert(text)) this.inert++;
      else this.values.push({ text, column: this.path(b, depth) });
    } else if (live === 0 || shortInteger(b, i + 1, j)) {
      // No digit and no '@', or a bare integer of at most 8 digits: inertValue's rule for a
      // pure ASCII string (which holds neither U+FFFD nor NUL).
      this.inert++;
    } else
      this.values.push({
        text: b.toString('latin1', i + 1, j),
        column: this.path(b, depth),
      });
    return j + 1;
  }

  /** A number at `i` (RFC 8259 section 6): checked, counted or kept; the index after it or -1. */
  private number(b: Buffer, i: number, end: number, depth: number): number {
    let j = i;
    if (b[j] === 0x2d) j++;
    const intStart = j;
    if (j < end && b[j] === 0x30) j++;
    else if (j < end && (b[j] ?? 0) >= 0x31 && (b[j] ?? 0) <= 0x39) {
      while (j < end && (b[j] ?? 0) >= 0x30 && (b[j] ?? 0) <= 0x39) j++;
    } else return -1;
    const intDigits = j - intStart;
    let integer = true;
    if (j < end && b[j] === 0x2e) {
      integer = false;
      j++;
      const fraction = j;
      while (j < end && (b[j] ?? 0) >= 0x30 && (b[j] ?? 0) <= 0x39) j++;
      if (j === fraction) return -1;
    }
    if (j < end && (b[j] === 0x65 || b[j] === 0x45)) {
      integer = false;
      j++;
      if (j < end && (b[j] === 0x2b || b[j] === 0x2d)) j++;
      const exponent = j;
      while (j < end && (b[j] ?? 0) >= 0x30 && (b[j] ?? 0) <= 0x39) j++;
      if (j === exponent) return -1;
    }
    if (integer && intDigits <= 8) {
      // |v| < 1e8 and an integer: inertValue's rule for numbers, without building the number.
      this.inert++;
      return j;
    }
    const value = Number(b.toString('latin1', i, j));
    if (this.isInert(value)) this.inert++;
    else this.values.push({ text: String(value), column: this.path(b, depth) });
    return j;
  }

  /**
   * Runs the keyword search on from `searched` to `to`; true when a keyword ends there, or
   * when the bytes hold U+212A (E2 84 AA) or U+0130 (C4 B0), which fold to ASCII in
   * toLowerCase (KeywordSearch.any hands such text to its full search). Every other non-ASCII
   * character, and each byte of invalid UTF-8 (U+FFFD once decoded), returns to state 0 as it
   * does in `any`, whatever its byte count.
   */
  private search(b: Buffer, to: number, end: number): boolean {
    const dfa = this.dfa;
    let state = this.state;
    for (let i = this.searched; i < to; i++) {
      const c = b[i] ?? 0;
      if (c < 0x80) {
        state = dfa[state + c] ?? 0;
        if (state < 0) return true;
      } else {
        if (
          (c === 0xe2 && b[i + 1] === 0x84 && b[i + 2] === 0xaa && i + 2 < end) ||
          (c === 0xc4 && b[i + 1] === 0xb0 && i + 1 < end)
        )
          return true;
        state = 0;
      }
    }
    this.state = state;
    this.searched = to;
    return false;
  }

  /** walkJson's key path of a value inside the `depth` open containers. */
  private path(b: Buffer, depth: number): string {
    let path = '';
    for (let d = 0; d < depth; d++) {
      if (this.kind[d] === ARRAY) path += '[]';
      else {
        const k = this.currentKey[d] ?? 0;
        const key = b.toString('latin1', this.keyStart[k] ?? 0, this.keyEnd[k] ?? 0);
        path = path === '' ? key : `${path}.${key}`;
      }
    }
    return path;
  }
}

/** The index after the escape whose backslash is at `j`, or -1 when it is not valid. */
function escapeEnd(b: Uint8Array, j: number, end: number): number {
  const e = b[j + 1] ?? 0;
  if (j + 1 >= end) return -1;
  if (SIMPLE_ESCAPE[e] === 1) return j + 2;
  if (e !== 0x75 || j + 6 > end) return -1;
  // Any four hex digits: JSON.parse accepts lone surrogates (\ud800) too.
  return HEX[b[j + 2] ?? 0] === 1 &&
    HEX[b[j + 3] ?? 0] === 1 &&
    HEX[b[j + 4] ?? 0] === 1 &&
    HEX[b[j + 5] ?? 0] === 1
    ? j + 6
    : -1;
}

/** True when `b[s, e)` is an optional '-' and 1 to 8 ASCII digits (records.ts SHORT_INTEGER). */
function shortInteger(b: Uint8Array, s: number, e: number): boolean {
  if (b[s] === 0x2d) s++;
  const n = e - s;
  if (n < 1 || n > 8) return false;
  for (let k = s; k < e; k++) {
    const c = b[k] ?? 0;
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The first index at or after `i` that is not JSON whitespace (space, tab, CR, LF), or `end`. */
function skipWhitespace(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return i;
    i++;
  }
  return end;
}
