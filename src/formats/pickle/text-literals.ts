import { checkLimit, FormatError } from '../../core/errors.js';

/**
 * Decoders for the text arguments of protocol 0 opcodes, following CPython 3.11's C unpickler
 * (Modules/_pickle.c) and the functions it calls (strtol, PyLong_FromString,
 * PyOS_string_to_double, PyBytes_DecodeEscape, raw-unicode-escape, UTF-8 with surrogatepass).
 * Every function takes the line without its trailing newline and throws FormatError at `offset`.
 */

const LATIN1 = new TextDecoder('latin1');
const UTF8 = new TextDecoder('utf-8', { fatal: true });

// CPython 3.11 refuses to convert decimal strings longer than this (sys.int_info
// .default_max_str_digits): the unpickler fails there, and it bounds our BigInt work too.
const MAX_STR_DIGITS = 4300;

// strtol(s, &end, 0): optional whitespace and sign, then 0x-hex, 0-octal or decimal digits.
const STRTOL = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/;
// PyLong_FromString(s, NULL, 0): underscores between digits, no leading zeros in decimal.
const PYLONG_BASE0 =
  /^[ \t\n\v\f\r]*([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?[0-9])*)[ \t\n\v\f\r]*$/;
// PyLong_FromString(s, NULL, 10).
const PYLONG_BASE10 = /^[ \t\n\v\f\r]*([+-]?)([0-9](?:_?[0-9])*)[ \t\n\v\f\r]*$/;
// PyOS_string_to_double: no surrounding whitespace; inf/nan spelled out.
const PYFLOAT = /^[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A Python int as the value model keeps it: a number when safe, else a bigint. */
export function normalizeInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** The text up to the first NUL: C string functions stop there. */
function cString(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

function digitsToBigInt(sign: string, body: string, offset: number): bigint {
  const clean = body.replaceAll('_', '');
  let value: bigint;
  const prefix = clean.slice(0, 2).toLowerCase();
  if (prefix === '0x' || prefix === '0o' || prefix === '0b') {
    value = BigInt(`0${prefix[1] ?? ''}${clean.slice(2)}`);
  } else {
    checkLimit(
      clean.length,
      MAX_STR_DIGITS,
      'int digits',
      offset,
      'int literal exceeds 4300 digits',
    );
    value = BigInt(clean);
  }
  return sign === '-' ? -value : value;
}

/** PyLong_FromString(text, NULL, 0); BAD_VALUE when CPython would raise. */
export function parsePyLongBase0(text: string, offset: number): bigint {
  const m = PYLONG_BASE0.exec(cString(text));
  if (m === null) throw new FormatError('BAD_VALUE', 'invalid int literal', offset);
  return digitsToBigInt(m[1] ?? '', m[2] ?? '0', offset);
}

/** PyLong_FromString(text, NULL, 10) (GET and PUT arguments). */
export function parsePyLongBase10(text: string, offset: number): bigint {
  const m = PYLONG_BASE10.exec(cString(text));
  if (m === null) throw new FormatError('BAD_VALUE', 'invalid int literal', offset);
  return digitsToBigInt(m[1] ?? '', (m[2] ?? '0').replace(/^0+(?=\d)/, ''), offset);
}

/**
 * INT: strtol base 0 first; if it overflows or does not consume the whole line, PyLong base 0.
 * `I00` and `I01` (two characters that strtol reads as 0 or 1) are False and True.
 */
export function parseIntOpcode(text: string, offset: number): number | bigint | boolean {
  if (text.length < 1) throw new FormatError('TRUNCATED', 'INT argument is empty', offset);
  const m = STRTOL.exec(text);
  if (m !== null && (m[0].length === text.length || text[m[0].length] === '\0')) {
    const sign = m[1] ?? '';
    const body = m[2] ?? '0';
    let value: bigint;
    if (body.length > 1 && (body[1] === 'x' || body[1] === 'X')) value = BigInt(body);
    else if (body.length > 1 && body.startsWith('0')) value = BigInt(`0o${body.slice(1)}`);
    else if (body.length > 20) value = INT64_MAX + 1n;
    else value = BigInt(body);
    if (sign === '-') value = -value;
    if (value >= INT64_MIN && value <= INT64_MAX) {
      if (text.length === 2 && (value === 0n || value === 1n)) return value === 1n;
      return normalizeInt(value);
    }
  }
  return normalizeInt(parsePyLongBase0(text, offset));
}

/** LONG: a trailing 'L' (py2 repr) is dropped, then PyLong base 0. */
export function parseLongOpcode(text: string, offset: number): number | bigint {
  const body = text.endsWith('L') ? text.slice(0, -1) : text;
  return normalizeInt(parsePyLongBase0(body, offset));
}

/** FLOAT: PyOS_string_to_double, which must consume the line (up to a NUL). */
export function parseFloatOpcode(text: string, offset: number): number {
  const s = cString(text);
  if (!PYFLOAT.test(s)) throw new FormatError('BAD_VALUE', 'invalid float literal', offset);
  const lower = s.toLowerCase().replace(/^[+-]/, '');
  const negative = s.startsWith('-');
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === 'infinity') return negative ? -Infinity : Infinity;
  const value = Number(s);
  if (!Number.isFinite(value)) throw new FormatError('BAD_VALUE', 'float overflow', offset);
  return value;
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
};

/**
 * STRING: the argument must be quoted with matching ' or "; the inside is decoded with
 * PyBytes_DecodeEscape, then (py2 str) read byte for byte as latin-1.
 */
export function decodeStringOpcode(line: Uint8Array, offset: number): string {
  const n = line.byteLength;
  const q = line[0];
  if (n < 2 || q !== line[n - 1] || (q !== 0x27 && q !== 0x22)) {
    throw new FormatError('BAD_VALUE', 'the STRING opcode argument must be quoted', offset);
  }
  const out: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    const c = line[i] ?? 0;
    if (c !== 0x5c) {
      out.push(c);
      continue;
    }
    i++;
    if (i >= n - 1) throw new FormatError('BAD_VALUE', 'trailing \\ in string', offset);
    const e = String.fromCharCode(line[i] ?? 0);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) out.push(simple);
    else if (e === '\n') continue;
    else if (e >= '0' && e <= '7') {
      let v = 0;
      let k = 0;
      while (k < 3 && i < n - 1 && (line[i] ?? 0) >= 0x30 && (line[i] ?? 0) <= 0x37) {
        v = v * 8 + ((line[i] ?? 0) - 0x30);
        i++;
        k++;
      }
      i--;
      out.push(v & 0xff);
    } else if (e === 'x') {
      const h = String.fromCharCode(line[i + 1] ?? 0, line[i + 2] ?? 0);
      if (i + 2 >= n - 1 || !/^[0-9a-fA-F]{2}$/.test(h)) {
        throw new FormatError('BAD_VALUE', 'invalid \\x escape', offset);
      }
      out.push(parseInt(h, 16));
      i += 2;
    } else {
      // Unknown escapes stay as written (CPython warns, then keeps the backslash).
      out.push(0x5c, line[i] ?? 0);
    }
  }
  return LATIN1.decode(Uint8Array.from(out));
}

/** UNICODE: raw-unicode-escape (only \uXXXX and \UXXXXXXXX after an odd run of backslashes). */
export function decodeRawUnicodeEscape(line: Uint8Array, offset: number): string {
  let out = '';
  let i = 0;
  const n = line.byteLength;
  while (i < n) {
    const c = line[i] ?? 0;
    if (c !== 0x5c) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    let run = 0;
    while (i < n && line[i] === 0x5c) {
      run++;
      i++;
    }
    const next = line[i];
    if (run % 2 === 1 && (next === 0x75 || next === 0x55)) {
      out += '\\'.repeat(run - 1);
      const digits = next === 0x75 ? 4 : 8;
      const hex = LATIN1.decode(line.subarray(i + 1, i + 1 + digits));
      if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
        throw new FormatError('BAD_VALUE', 'truncated \\uXXXX escape', offset);
      }
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new FormatError('BAD_VALUE', '\\U escape out of range', offset);
      out += String.fromCodePoint(cp);
      i += 1 + digits;
    } else {
      out += '\\'.repeat(run);
    }
  }
  return out;
}

/** True when every byte is ASCII. */
function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.byteLength; i++) if ((bytes[i] ?? 0) > 0x7f) return false;
  return true;
}

/**
 * UTF-8 as BINUNICODE decodes it: strict, except that encoded surrogates (ED A0..BF xx) are
 * accepted ("surrogatepass"). A strict-only decoder would stop where CPython continues and miss
 * every opcode after such a string.
 */
export function decodeUtf8SurrogatePass(bytes: Uint8Array, offset: number): string {
  const n = bytes.byteLength;
  if (n < 48) {
    let out = '';
    for (let i = 0; i < n; i++) {
      const c = bytes[i] ?? 0;
      if (c > 0x7f) {
        out = '';
        break;
      }
      out += String.fromCharCode(c);
      if (i === n - 1) return out;
    }
    if (n === 0) return '';
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    return decodeUtf8Manually(bytes, offset);
  }
}

/** Strict UTF-8 (GLOBAL/INST names); BAD_UTF8 on failure. */
export function decodeUtf8Strict(bytes: Uint8Array, offset: number): string {
  if (isAscii(bytes)) return LATIN1.decode(bytes);
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    throw new FormatError('BAD_UTF8', 'invalid UTF-8', offset, { cause: error });
  }
}

/** ASCII only (PERSID); BAD_UTF8 otherwise. */
export function decodeAsciiStrict(bytes: Uint8Array, offset: number): string {
  if (!isAscii(bytes)) throw new FormatError('BAD_UTF8', 'PERSID id is not ASCII', offset);
  return LATIN1.decode(bytes);
}

function decodeUtf8Manually(b: Uint8Array, offset: number): string {
  const units: number[] = [];
  let out = '';
  const bad = (): never => {
    throw new FormatError('BAD_UTF8', 'invalid UTF-8', offset);
  };
  const cont = (i: number): number => {
    const c = b[i];
    if (c === undefined || (c & 0xc0) !== 0x80) bad();
    return (c ?? 0) & 0x3f;
  };
  let i = 0;
  while (i < b.byteLength) {
    const c = b[i] ?? 0;
    let cp: number;
    if (c < 0x80) {
      cp = c;
      i += 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
      cp = ((c & 0x1f) << 6) | cont(i + 1);
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      cp = ((c & 0x0f) << 12) | (cont(i + 1) << 6) | cont(i + 2);
      if (cp < 0x800) bad();
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      cp = ((c & 0x07) << 18) | (cont(i + 1) << 12) | (cont(i + 2) << 6) | cont(i + 3);
      if (cp < 0x10000 || cp > 0x10ffff) bad();
      i += 4;
    } else {
      return bad();
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length > 4096) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}
