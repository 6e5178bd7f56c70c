import { FormatError } from '../../core/errors.js';

/** Python refuses more nesting than this ("too many nested parentheses", CPython's MAXLEVEL). */
export const MAX_PYTHON_NESTING = 200;

/**
 * Decodes Python source bytes as CPython would: UTF-8 (a BOM is dropped) unless a PEP 263
 * coding declaration in the first two lines names another encoding TextDecoder knows.
 * Throws FormatError BAD_VALUE for NUL bytes (CPython: "source code cannot contain null bytes";
 * such a file is binary data, not a program) and BAD_UTF8 for undecodable text.
 */
export function decodePythonSource(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new FormatError('BAD_VALUE', 'NUL byte: binary data, not Python source', nul);
  const encoding = declaredEncoding(bytes);
  let decoder = DECODERS.get(encoding);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(encoding, { fatal: true });
    } catch (error) {
      throw new FormatError('BAD_UTF8', `unknown source encoding ${encoding}`, 0, { cause: error });
    }
    DECODERS.set(encoding, decoder);
  }
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new FormatError('BAD_UTF8', `the file is not valid ${encoding}`, 0, { cause: error });
  }
}

// One fatal decoder per encoding name TextDecoder accepts (a finite set): decode() without
// `stream` keeps no state between calls.
const DECODERS = new Map<string, InstanceType<typeof TextDecoder>>();

/** The encoding a PEP 263 declaration in the first two lines names, as TextDecoder spells it. */
function declaredEncoding(bytes: Uint8Array): string {
  // Only a line whose first non-blank character is `#` can declare one: most files have none.
  const end = Math.min(bytes.byteLength, 512);
  let comment = false;
  for (let line = 0, at = 0; line < 2 && at < end; line++) {
    while (at < end && (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0c)) at++;
    if (bytes[at] === 0x23 && at < end) comment = true;
    const newline = bytes.indexOf(0x0a, at);
    if (newline < 0) break;
    at = newline + 1;
  }
  if (!comment) return 'utf-8';
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).split('\n').slice(0, 2);
  let encoding = 'utf-8';
  for (const line of head) {
    const m = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/.exec(line);
    if (m?.[1] !== undefined) {
      encoding = m[1].toLowerCase();
      break;
    }
  }
  // Python's spellings of the encodings TextDecoder names differently.
  encoding = encoding.replace(/_/g, '-');
  if (/^(?:latin-?1|l1|iso-?8859-1)$/.test(encoding)) encoding = 'latin1';
  if (/^utf-?8(?:-sig)?$/.test(encoding)) encoding = 'utf-8';
  return encoding;
}

/**
 * The deepest bracket nesting of a Python text and where it first passes `limit` (strings and
 * comments are skipped roughly: a bracket in a string can only over-count, never hide nesting).
 */
export function bracketDepth(text: string, limit: number): { depth: number; at?: number } {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return { depth: max, at: i };
      }
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return { depth: max };
}
