import { Worker } from 'node:worker_threads';
import { FormatError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import type { SevenZipResult } from './read-archive.js';
import type { SevenZipReply, SevenZipRequest } from './worker.js';

export type { SevenZipEntry, SevenZipResult } from './read-archive.js';

const SIGNATURE = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

// One worker thread runs 7-Zip (a fresh wasm module per archive inside it), reused across
// archives and replaced when one times out or the worker dies; unref'd while idle so it never
// keeps the process alive. Archives are queued one at a time.
let shared: Worker | undefined;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 0;

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
  if (bytes.byteLength > limits.maxInputBytes) {
    return Promise.reject(
      new FormatError(
        'LIMIT_EXCEEDED',
        `7z archive size: ${bytes.byteLength} exceeds the limit ${limits.maxInputBytes}`,
        0,
      ),
    );
  }
  if (!SIGNATURE.every((v, i) => bytes[i] === v)) {
    return Promise.reject(new FormatError('BAD_MAGIC', 'not a 7z archive', 0));
  }
  const run = queue.then(() => readInWorker(bytes, limits, maxExtractBytes, timeoutMs));
  queue = run.catch(() => undefined);
  return run;
}

function readInWorker(
  bytes: Uint8Array,
  limits: Limits,
  maxExtractBytes: number,
  timeoutMs: number,
): Promise<SevenZipResult> {
  shared ??= new Worker(new URL('./worker.js', import.meta.url));
  const worker = shared;
  worker.ref();
  const id = ++nextId;
  return new Promise<SevenZipResult>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      worker.unref();
    };
    const fail = (error: FormatError): void => {
      done();
      if (shared === worker) shared = undefined;
      void worker.terminate();
      reject(error);
    };
    const onMessage = (reply: SevenZipReply): void => {
      if (reply.id !== id) return;
      done();
      if (reply.ok) resolve(reply.result);
      else reject(new FormatError(reply.code, reply.message, reply.offset));
    };
    const onError = (error: Error): void => {
      fail(
        new FormatError('BAD_STRUCTURE', `7z reader failed: ${error.message}`, 0, { cause: error }),
      );
    };
    const onExit = (code: number): void => {
      fail(new FormatError('BAD_STRUCTURE', `7z reader exited (${code})`, 0));
    };
    const timer = setTimeout(
      () => {
        fail(
          new FormatError('LIMIT_EXCEEDED', `7z extraction took longer than ${timeoutMs} ms`, 0),
        );
      },
      Math.max(1, timeoutMs),
    );
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    const request: SevenZipRequest = {
      id,
      bytes,
      limits: { maxInputBytes: limits.maxInputBytes, maxEntries: limits.maxEntries },
      maxExtractBytes,
    };
    worker.postMessage(request);
  });
}
