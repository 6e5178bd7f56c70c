import { FormatError, limitError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import type { SevenZipResult } from './read-archive.js';
import { BoundedWorker } from '../bounded-worker.js';
import type { SevenZipRequest } from './worker.js';

export type { SevenZipEntry, SevenZipResult } from './read-archive.js';

const SIGNATURE = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

// One worker thread runs 7-Zip (a fresh wasm module per archive inside it), so a hostile archive
// that hangs the decoder is stopped by terminating the worker at the time limit.
const reader = new BoundedWorker<SevenZipRequest, SevenZipResult>(
  new URL('./worker.js', import.meta.url),
  '7z reader',
);

/**
 * Lists and extracts a 7z archive with 7-Zip compiled to wasm, in a worker thread and only in
 * 7-Zip's in-memory file system (never the real disk). Bounds: input at most maxInputBytes, at most
 * maxEntries entries, declared and actual extracted total at most `maxExtractBytes`, and
 * `timeoutMs` of wall-clock time (the worker is terminated after it).
 * Throws FormatError: BAD_MAGIC, LIMIT_EXCEEDED, BAD_STRUCTURE (7-Zip cannot list it, or the
 * worker died).
 */
export function readSevenZip(
  bytes: Uint8Array,
  limits: Limits,
  maxExtractBytes: number,
  timeoutMs: number = limits.maxMillisPerFile,
): Promise<SevenZipResult> {
  const tooLarge = limitError(bytes.byteLength, limits.maxInputBytes, '7z archive size', 0);
  if (tooLarge !== undefined) {
    return Promise.reject(tooLarge);
  }
  if (!SIGNATURE.every((v, i) => bytes[i] === v)) {
    return Promise.reject(new FormatError('BAD_MAGIC', 'not a 7z archive', 0));
  }
  const request: SevenZipRequest = {
    bytes,
    limits: { maxInputBytes: limits.maxInputBytes, maxEntries: limits.maxEntries },
    maxExtractBytes,
  };
  return reader.run(request, timeoutMs);
}
