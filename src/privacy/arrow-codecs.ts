import { AsyncLocalStorage } from 'node:async_hooks';
import { checkLimit, FormatError } from '../core/errors.js';
import { decodeLz4Frames } from '../formats/compress/index.js';

/** Largest single Arrow IPC body buffer inflated (its declared uncompressed length). */
export const MAX_ARROW_BUFFER = 256 * 1024 * 1024;

/** What one file's reading may still inflate, in bytes. */
interface InflateBudget {
  remaining: number;
}

const budgets = new AsyncLocalStorage<InflateBudget>();

/**
 * Decodes one compressed Arrow IPC body buffer (LZ4 frame, pyarrow's default for Feather v2).
 * apache-arrow hands over the bytes after the 8-byte little-endian uncompressed-length prefix;
 * that prefix (read from the same underlying buffer) is the output ceiling: a buffer declaring
 * more than MAX_ARROW_BUFFER, or more than the file's remaining budget, or decoding to another
 * length than declared, is refused (LIMIT_EXCEEDED, BAD_LENGTH), so a bomb cannot allocate past
 * what the file says and the limits allow.
 */
export function decodeArrowLz4(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset < 8)
    throw new FormatError('BAD_STRUCTURE', 'compressed Arrow buffer without its length', 0);
  const declared = new DataView(bytes.buffer, bytes.byteOffset - 8, 8).getBigInt64(0, true);
  const budget = budgets.getStore();
  const ceiling = Math.min(MAX_ARROW_BUFFER, budget?.remaining ?? MAX_ARROW_BUFFER);
  const message = () => `compressed Arrow buffer declares ${declared} bytes (ceiling ${ceiling})`;
  // A negative declared length is refused with the same code as a huge one.
  if (declared < 0n) throw new FormatError('LIMIT_EXCEEDED', message(), 0);
  checkLimit(declared, ceiling, 'Arrow buffer', 0, message);
  const length = Number(declared);
  // decodeLz4Frames stops with LIMIT_EXCEEDED as soon as the output would pass `length`.
  const out = decodeLz4Frames(bytes, length);
  if (out.byteLength !== length)
    throw new FormatError(
      'BAD_LENGTH',
      `compressed Arrow buffer decodes to ${out.byteLength} bytes, declares ${length}`,
      0,
    );
  if (budget !== undefined) budget.remaining -= length;
  return out;
}

let registered = false;

/**
 * Runs `read` (an apache-arrow read of one file) with the bounded LZ4 codec registered and
 * `total` bytes of inflate budget for the whole file. ZSTD buffers stay without a codec: the
 * reader then fails with "codec not found", reported as an unreadable file.
 */
export async function withArrowCodecs<T>(total: number, read: () => Promise<T>): Promise<T> {
  if (!registered) {
    const arrow = await import('apache-arrow');
    arrow.compressionRegistry.set(arrow.CompressionType.LZ4_FRAME, { decode: decodeArrowLz4 });
    registered = true;
  }
  return budgets.run({ remaining: total }, read);
}
