import { once } from 'node:events';
import { createInflateRaw, crc32 } from 'node:zlib';
import type { ByteSource } from '../../core/byte-source.js';
import { checkLimit, FormatError, limitError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { HELD_CEILING } from '../compress/budget.js';
import { inflatePrefix } from '../compress/zlib-family.js';

// Compressed bytes fed to the inflater per positioned read.
const READ_CHUNK = 1024 * 1024;

/** What one streaming pass over a deflated member found. */
export interface InflateProbe {
  /** The first `keep` inflated bytes (fewer when the member is shorter). */
  readonly prefix: Uint8Array;
  /** Inflated length. */
  readonly size: number;
  /** CRC-32 of all inflated bytes. */
  readonly crc: number;
}

/**
 * Inflates the raw-deflate stream `[start, start + length)` of `source` as a stream, never past
 * `cap` bytes (LIMIT_EXCEEDED), keeping only the first `keep` bytes: the size and CRC of a large
 * member are known without holding it in memory. Throws TRUNCATED for a stream that ends early,
 * BAD_STRUCTURE for corrupt data.
 */
export async function probeInflate(
  source: ByteSource,
  start: number,
  length: number,
  cap: number,
  keep: number,
): Promise<InflateProbe> {
  const inflater = createInflateRaw();
  let size = 0;
  let crc = 0;
  const prefix = new Uint8Array(keep);
  let kept = 0;
  inflater.on('data', (chunk: Buffer) => {
    size += chunk.byteLength;
    const over = limitError(
      size,
      cap,
      'inflated bytes',
      start,
      () => `inflated output exceeds ${cap} bytes`,
    );
    if (over !== undefined) {
      inflater.destroy(over);
      return;
    }
    crc = crc32(chunk, crc);
    if (kept < keep) {
      const part = chunk.subarray(0, keep - kept);
      prefix.set(part, kept);
      kept += part.byteLength;
    }
  });
  const ended = once(inflater, 'end');
  // Keep a handler attached so an error while we wait on a read is not unhandled.
  ended.catch(() => undefined);
  try {
    for (let at = 0; at < length; at += READ_CHUNK) {
      const chunk = await source.read(start + at, Math.min(READ_CHUNK, length - at));
      if (inflater.destroyed) break;
      if (!inflater.write(chunk)) await Promise.race([once(inflater, 'drain'), ended]);
    }
    if (!inflater.destroyed) inflater.end();
    await ended;
  } catch (error) {
    inflater.destroy();
    throw streamError(error, start);
  }
  return { prefix: prefix.subarray(0, kept), size, crc: crc >>> 0 };
}

function streamError(error: unknown, offset: number): FormatError {
  if (error instanceof FormatError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'Z_BUF_ERROR') {
    return new FormatError('TRUNCATED', 'compressed stream ends early', offset, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FormatError('BAD_STRUCTURE', `corrupt deflate stream: ${message}`, offset, {
    cause: error,
  });
}

/**
 * A deflated member as a source: reads within the probed prefix are served from it; the first
 * read beyond it inflates the whole member once (its size is known and already checked against
 * the limits) and keeps it. A numeric .npy in an npz is judged by its header alone and never
 * held in memory whole.
 */
export class LazyInflatedSource implements ByteSource {
  private whole: Uint8Array | undefined;

  constructor(
    private readonly source: ByteSource,
    private readonly start: number,
    private readonly length: number,
    private readonly probe: InflateProbe,
    private readonly limits: Limits,
  ) {}

  get size(): number {
    return this.probe.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (
      offset < 0 ||
      length < 0 ||
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length)
    ) {
      throw new RangeError(`bad range ${offset}+${length}`);
    }
    const end = Math.min(this.probe.size, offset + length);
    const from = Math.min(offset, end);
    if (end <= this.probe.prefix.byteLength) return this.probe.prefix.subarray(from, end);
    if (this.whole === undefined) {
      const length = this.length;
      checkLimit(
        length,
        this.limits.maxInputBytes,
        'maxInputBytes',
        this.start,
        () => `${length} compressed bytes exceed maxInputBytes`,
      );
      const inflated = this.probe.size;
      checkLimit(
        inflated,
        HELD_CEILING,
        'held bytes',
        this.start,
        () => `member inflates to ${inflated} bytes, more than the ${HELD_CEILING} held at once`,
      );
      const packed = await this.source.read(this.start, this.length);
      // The probe already charged this output to the file's budget and checked the caps. As a
      // stream into one buffer: the output is held once, not twice while node joins its chunks.
      const { bytes, stopped } = await inflatePrefix('raw', packed, this.probe.size, this.start);
      if (stopped !== undefined) throw stopped;
      this.whole = bytes;
    }
    return this.whole.subarray(from, end);
  }
}
