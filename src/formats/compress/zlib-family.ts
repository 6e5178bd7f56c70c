import { inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';
import { FormatError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { chargeInflate, inflateCap, type InflateBudget } from './budget.js';

/** The three framings of DEFLATE (RFC 1951 raw, RFC 1950 zlib, RFC 1952 gzip). */
export type DeflateFraming = 'raw' | 'zlib' | 'gzip';

/**
 * Inflates `input` with node:zlib, never past `inflateCap` (maxOutputLength), and charges the
 * output to `budget`. Throws LIMIT_EXCEEDED when the output would exceed the cap and TRUNCATED /
 * BAD_STRUCTURE for a corrupt stream. `offset` is where `input` starts in the enclosing file.
 */
export function inflateBounded(
  framing: DeflateFraming,
  input: Uint8Array,
  limits: Limits,
  budget: InflateBudget,
  offset: number,
  cap = Number.POSITIVE_INFINITY,
): Uint8Array {
  const maxOutputLength = Math.min(cap, inflateCap(limits, budget, input.byteLength, offset));
  // maxOutputLength must be ≥ 1 for node. A truncated stream throws (Z_BUF_ERROR), as in miniz:
  // torch reads a whole member before unpickling, so a truncated one never runs.
  const opts = { maxOutputLength: Math.max(1, maxOutputLength) };
  let out: Uint8Array;
  try {
    const buf =
      framing === 'raw'
        ? inflateRawSync(input, opts)
        : framing === 'zlib'
          ? inflateSync(input, opts)
          : gunzipSync(input, opts);
    out = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (error) {
    throw zlibError(error, offset, maxOutputLength);
  }
  if (out.byteLength > maxOutputLength) {
    throw new FormatError('LIMIT_EXCEEDED', `inflated past ${maxOutputLength} bytes`, offset);
  }
  chargeInflate(budget, out.byteLength);
  return out;
}

function zlibError(error: unknown, offset: number, cap: number): FormatError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
    return new FormatError('LIMIT_EXCEEDED', `inflated output exceeds ${cap} bytes`, offset, {
      cause: error,
    });
  }
  if (code === 'Z_BUF_ERROR') {
    return new FormatError('TRUNCATED', 'compressed stream ends early', offset, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FormatError('BAD_STRUCTURE', `corrupt deflate stream: ${message}`, offset, {
    cause: error,
  });
}
