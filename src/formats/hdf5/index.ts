import { Worker } from 'node:worker_threads';
import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import type { Hdf5RootAttributes } from './read-attributes.js';
import type { Hdf5Reply, Hdf5Request } from './worker.js';

export type { Hdf5RootAttributes } from './read-attributes.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

// One worker thread holds the HDF5 library (loading its wasm costs far more than reading a
// header), reused across reads and replaced when a read times out or the worker dies. It is
// unref'd while idle so it never keeps the process alive. Reads are queued one at a time.
let shared: Worker | undefined;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 0;

function workerThread(): Worker {
  shared ??= new Worker(new URL('./worker.js', import.meta.url));
  return shared;
}

function discard(worker: Worker): void {
  if (shared === worker) shared = undefined;
  void worker.terminate();
}

/**
 * Reads the root group's attribute names and the text of `wanted` attributes of HDF5 `bytes`, with
 * the HDF5 C library (h5wasm) in a worker thread and only its in-memory file system. A read that
 * takes longer than `timeoutMs` terminates the worker (a hostile file can make the library loop).
 * Throws FormatError: BAD_MAGIC (no superblock at offset 0), LIMIT_EXCEEDED (input over
 * maxInputBytes, an attribute over maxTextBytes, more than maxEntries attributes, the time limit),
 * BAD_STRUCTURE (HDF5 refuses the file, or the worker died).
 */
export function readHdf5RootAttributes(
  bytes: Uint8Array,
  wanted: readonly string[],
  limits: Limits,
  timeoutMs: number = limits.maxMillisPerFile,
): Promise<Hdf5RootAttributes> {
  checkLimit(bytes.byteLength, limits.maxInputBytes, 'HDF5 file size', 0);
  if (bytes.byteLength < 8 || !SIGNATURE.every((v, i) => bytes[i] === v)) {
    return Promise.reject(new FormatError('BAD_MAGIC', 'no HDF5 superblock at offset 0', 0));
  }
  const run = queue.then(() => readInWorker(bytes, wanted, limits, timeoutMs));
  queue = run.catch(() => undefined);
  return run;
}

function readInWorker(
  bytes: Uint8Array,
  wanted: readonly string[],
  limits: Limits,
  timeoutMs: number,
): Promise<Hdf5RootAttributes> {
  const worker = workerThread();
  worker.ref();
  const id = ++nextId;
  return new Promise<Hdf5RootAttributes>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      worker.unref();
    };
    const fail = (error: FormatError): void => {
      done();
      discard(worker);
      reject(error);
    };
    const onMessage = (reply: Hdf5Reply): void => {
      if (reply.id !== id) return;
      done();
      if (reply.ok) resolve({ names: reply.names, text: new Map(reply.text) });
      else reject(new FormatError(reply.code, reply.message, reply.offset));
    };
    const onError = (error: Error): void => {
      fail(
        new FormatError('BAD_STRUCTURE', `HDF5 reader failed: ${error.message}`, 0, {
          cause: error,
        }),
      );
    };
    const onExit = (code: number): void => {
      fail(new FormatError('BAD_STRUCTURE', `HDF5 reader exited (${code})`, 0));
    };
    const timer = setTimeout(
      () => {
        fail(
          new FormatError('LIMIT_EXCEEDED', `HDF5 decoding took longer than ${timeoutMs} ms`, 0),
        );
      },
      Math.max(1, timeoutMs),
    );
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    const request: Hdf5Request = {
      id,
      bytes,
      wanted,
      limits: {
        maxInputBytes: limits.maxInputBytes,
        maxEntries: limits.maxEntries,
        maxTextBytes: limits.maxTextBytes,
      },
    };
    worker.postMessage(request);
  });
}
