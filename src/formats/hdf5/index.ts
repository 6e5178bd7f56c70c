import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import type { Hdf5RootAttributes } from './read-attributes.js';
import { BoundedWorker } from '../bounded-worker.js';
import type { Hdf5Request, Hdf5Result } from './worker.js';

export type { Hdf5RootAttributes } from './read-attributes.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

// One worker thread holds the HDF5 library: loading its wasm costs far more than reading a
// header, and a hostile file can make the library loop, which only terminating a worker stops.
const reader = new BoundedWorker<Hdf5Request, Hdf5Result>(
  new URL('./worker.js', import.meta.url),
  'HDF5 reader',
);

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
  const request: Hdf5Request = {
    bytes,
    wanted,
    limits: {
      maxInputBytes: limits.maxInputBytes,
      maxEntries: limits.maxEntries,
      maxTextBytes: limits.maxTextBytes,
    },
  };
  return reader
    .run(request, timeoutMs)
    .then((result) => ({ names: result.names, text: new Map(result.text) }));
}
