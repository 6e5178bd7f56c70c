import { AsyncLocalStorage } from 'node:async_hooks';
import { checkLimit, FormatError } from '../core/errors.js';
import { decodeLz4Frames } from '../formats/compress/index.js';
import { decompress as decodeZstd } from 'fzstd';

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
  const { length, budget } = declaredLength(bytes);
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

/**
 * The declared uncompressed length of a compressed Arrow IPC body buffer (the 8-byte prefix
 * before `bytes`), checked against MAX_ARROW_BUFFER and the file's remaining budget.
 */
function declaredLength(bytes: Uint8Array): { length: number; budget?: InflateBudget } {
  if (bytes.byteOffset < 8)
    throw new FormatError('BAD_STRUCTURE', 'compressed Arrow buffer without its length', 0);
  const declared = new DataView(bytes.buffer, bytes.byteOffset - 8, 8).getBigInt64(0, true);
  const budget = budgets.getStore();
  const ceiling = Math.min(MAX_ARROW_BUFFER, budget?.remaining ?? MAX_ARROW_BUFFER);
  const message = () => `compressed Arrow buffer declares ${declared} bytes (ceiling ${ceiling})`;
  // A negative declared length is refused with the same code as a huge one.
  if (declared < 0n) throw new FormatError('LIMIT_EXCEEDED', message(), 0);
  checkLimit(declared, ceiling, 'Arrow buffer', 0, message);
  return { length: Number(declared), ...(budget === undefined ? {} : { budget }) };
}

/** Zstandard's largest block output (Block_Maximum_Size, RFC 8878 3.1.1.2.3). */
const ZSTD_MAX_BLOCK = 128 * 1024;

/**
 * Walks the frames and block headers of a Zstandard stream without decoding, and returns the
 * most bytes its blocks can write (raw and RLE blocks their size, a compressed block at most
 * Block_Maximum_Size) and the sum of the frames' declared content sizes. Every frame must
 * declare its content size (Arrow's writers use one-shot compression, which always does), use
 * no dictionary, and end inside `bytes`.
 */
export function zstdFrameBounds(bytes: Uint8Array): { maxOutput: number; contentSize: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string, at: number): FormatError =>
    new FormatError('BAD_STRUCTURE', `ZSTD stream: ${what} at byte ${at}`, at);
  let at = 0;
  let maxOutput = 0;
  let contentSize = 0;
  while (at < bytes.byteLength) {
    if (at + 4 > bytes.byteLength) throw bad('truncated frame magic', at);
    const magic = view.getUint32(at, true);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // A skippable frame: 4-byte length, then data no decoder reads.
      if (at + 8 > bytes.byteLength) throw bad('truncated skippable frame', at);
      at += 8 + view.getUint32(at + 4, true);
      if (at > bytes.byteLength) throw bad('skippable frame past the end', at);
      continue;
    }
    if (magic !== 0xfd2fb528) throw bad('not a ZSTD frame', at);
    const fhd = bytes[at + 4];
    if (fhd === undefined) throw bad('truncated frame header', at);
    const fcsFlag = fhd >> 6;
    const single = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const dictFlag = fhd & 3;
    if ((fhd & 8) !== 0) throw bad('reserved frame header bit set', at + 4);
    if (dictFlag !== 0)
      throw new FormatError('UNSUPPORTED_FEATURE', 'ZSTD frame needs a dictionary', at);
    let p = at + 5;
    let window = 0;
    if (single === 0) {
      const wd = bytes[p++];
      if (wd === undefined) throw bad('truncated frame header', at);
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    const fcsBytes = fcsFlag === 0 ? single : 1 << fcsFlag;
    if (fcsBytes === 0) throw bad('frame without a content size', at);
    if (p + fcsBytes > bytes.byteLength) throw bad('truncated frame header', at);
    let fcs: number;
    if (fcsBytes === 1) fcs = bytes[p] ?? 0;
    else if (fcsBytes === 2) fcs = view.getUint16(p, true) + 256;
    else if (fcsBytes === 4) fcs = view.getUint32(p, true);
    else fcs = Number(view.getBigUint64(p, true));
    p += fcsBytes;
    if (single === 1) window = fcs;
    contentSize += fcs;
    const blockMax = Math.min(ZSTD_MAX_BLOCK, window);
    for (let last = 0; last === 0;) {
      if (p + 3 > bytes.byteLength) throw bad('truncated block header', p);
      const header = (bytes[p] ?? 0) | ((bytes[p + 1] ?? 0) << 8) | ((bytes[p + 2] ?? 0) << 16);
      p += 3;
      last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw bad('reserved block type', p - 3);
      if (type !== 2 && size > blockMax) throw bad('block larger than the frame allows', p - 3);
      maxOutput += type === 2 ? blockMax : size;
      p += type === 1 ? 1 : size;
      if (p > bytes.byteLength) throw bad('block past the end', p);
    }
    at = p + checksum * 4;
    if (at > bytes.byteLength) throw bad('truncated checksum', p);
  }
  return { maxOutput, contentSize };
}

/**
 * Decodes one ZSTD-compressed Arrow IPC body buffer with fzstd (pure JavaScript). Before any
 * decoding, the frames' block headers bound what they can write: more than the buffer's ceiling
 * (MAX_ARROW_BUFFER, the file's remaining budget) is LIMIT_EXCEEDED, so a bomb is refused
 * without being inflated; the frames' declared content sizes must add up to the declared length
 * (BAD_LENGTH). The output is one preallocated buffer of that length: fzstd writes into it and
 * allocates no window of its own, so memory stays the declared length.
 */
export function decodeArrowZstd(bytes: Uint8Array): Uint8Array {
  const { length, budget } = declaredLength(bytes);
  const ceiling = Math.min(MAX_ARROW_BUFFER, budget?.remaining ?? MAX_ARROW_BUFFER);
  const out = inflateZstd(bytes, length, ceiling, 'Arrow buffer');
  if (budget !== undefined) budget.remaining -= length;
  return out;
}

/**
 * Decodes a Zstandard stream of `length` declared bytes with fzstd (pure JavaScript), bounded
 * before any decoding: the frames' block headers (zstdFrameBounds) say what they can write at
 * most, and more than `ceiling` is LIMIT_EXCEEDED, so a bomb is refused without being inflated
 * (work and memory stay under the ceiling); the frames' declared content sizes must add up to
 * `length` (BAD_LENGTH). fzstd writes into one preallocated buffer of `length` bytes and
 * allocates no window of its own. Malformed streams are BAD_STRUCTURE.
 */
export function inflateZstd(
  bytes: Uint8Array,
  length: number,
  ceiling: number,
  what: string,
): Uint8Array {
  if (length > ceiling)
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `ZSTD ${what} declares ${length} bytes (ceiling ${ceiling})`,
      0,
    );
  const { maxOutput, contentSize } = zstdFrameBounds(bytes);
  if (maxOutput > ceiling)
    throw new FormatError(
      'LIMIT_EXCEEDED',
      `ZSTD ${what} can inflate to ${maxOutput} bytes (ceiling ${ceiling})`,
      0,
    );
  if (contentSize !== length)
    throw new FormatError(
      'BAD_LENGTH',
      `ZSTD ${what}: its frames declare ${contentSize} bytes, the container ${length}`,
      0,
    );
  const out = new Uint8Array(length);
  try {
    decodeZstd(bytes, out);
  } catch (error) {
    throw new FormatError('BAD_STRUCTURE', `ZSTD ${what}: ${String(error)}`, 0, { cause: error });
  }
  return out;
}

let registered = false;

/**
 * Runs `read` (an apache-arrow read of one file) with the bounded LZ4 and ZSTD codecs
 * registered and `total` bytes of inflate budget for the whole file.
 */
export async function withArrowCodecs<T>(total: number, read: () => Promise<T>): Promise<T> {
  if (!registered) {
    const arrow = await import('apache-arrow');
    arrow.compressionRegistry.set(arrow.CompressionType.LZ4_FRAME, { decode: decodeArrowLz4 });
    arrow.compressionRegistry.set(arrow.CompressionType.ZSTD, { decode: decodeArrowZstd });
    registered = true;
  }
  return budgets.run({ remaining: total }, read);
}
