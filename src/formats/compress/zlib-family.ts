import { inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';
import { checkLimit, FormatError } from '../../core/errors.js';
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
  checkLimit(
    out.byteLength,
    maxOutputLength,
    'maxOutputLength',
    offset,
    () => `inflated past ${maxOutputLength} bytes`,
  );
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

/** What `inflatePrefix` produced: the bytes up to the cap and why it stopped early, if it did. */
export interface InflatedPrefix {
  readonly bytes: Uint8Array;
  /** LIMIT_EXCEEDED at the cap, TRUNCATED or BAD_STRUCTURE for a corrupt stream; absent at a clean end. */
  readonly stopped?: FormatError;
}

// Compressed bytes fed to the streaming inflater per write.
const FEED_BYTES = 1024 * 1024;

/**
 * Inflates `input` as a stream and keeps at most `cap` bytes of output: what a limit cut off is
 * still there to be parsed (a pickle whose payload sits in front of gigabytes of zeros). Never
 * throws for bad input: a stream that stops early returns what it produced with the reason.
 * Memory follows the output kept (one buffer of `cap` bytes, committed as written). The output is
 * not charged to any budget: the caller charges what it keeps.
 */
export async function inflatePrefix(
  framing: DeflateFraming,
  input: Uint8Array,
  cap: number,
  offset: number,
  deadline = Number.POSITIVE_INFINITY,
): Promise<InflatedPrefix> {
  const { createGunzip, createInflate, createInflateRaw } = await import('node:zlib');
  const opts = { chunkSize: 1024 * 1024 };
  const inflater =
    framing === 'raw'
      ? createInflateRaw(opts)
      : framing === 'zlib'
        ? createInflate(opts)
        : createGunzip(opts);
  // Allocated at the cap at once: the pages of a large zeroed buffer are committed only as they
  // are written, so memory follows the output, with no copy on growth.
  const buf = new Uint8Array(Math.max(1, cap));
  let length = 0;
  let stopped: FormatError | undefined;
  const stop = (error: FormatError): void => {
    stopped ??= error;
    inflater.destroy();
  };
  inflater.on('data', (chunk: Buffer) => {
    if (stopped !== undefined) return;
    const room = cap - length;
    const take = Math.min(room, chunk.byteLength);
    buf.set(chunk.subarray(0, take), length);
    length += take;
    if (take < chunk.byteLength) {
      stop(new FormatError('LIMIT_EXCEEDED', `inflated output exceeds ${cap} bytes`, offset));
    } else if (Date.now() > deadline) {
      stop(new FormatError('LIMIT_EXCEEDED', 'the time budget ran out while inflating', offset));
    }
  });
  const ended = new Promise<void>((resolve) => {
    inflater.once('end', resolve);
    inflater.once('close', resolve);
    inflater.once('error', (error) => {
      stopped ??= zlibError(error, offset, cap);
      resolve();
    });
  });
  for (let at = 0; at < input.byteLength && stopped === undefined; at += FEED_BYTES) {
    if (!inflater.write(input.subarray(at, at + FEED_BYTES))) {
      await Promise.race([new Promise((r) => inflater.once('drain', r)), ended]);
    }
  }
  if (stopped === undefined) inflater.end();
  await ended;
  return { bytes: buf.subarray(0, length), ...(stopped === undefined ? {} : { stopped }) };
}
