import h5wasm from 'h5wasm';
import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';

/** HDF5 superblock signature (HDF5 File Format Specification §II.A), at offset 0 here. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** The root group's attributes that torchward reads, as text (absent when missing or not text). */
export interface Hdf5RootAttributes {
  /** Names of every root attribute, sorted. */
  readonly names: readonly string[];
  /** Text values of the requested attributes that exist and hold a string. */
  readonly text: ReadonlyMap<string, string>;
}

let sequence = 0;

/**
 * Runs in the worker (./worker.ts), never on the main thread: a hostile file can make the HDF5
 * library loop, and only terminating the worker stops it.
 * Opens HDF5 `bytes` with h5wasm (the HDF5 C library compiled to wasm) in its in-memory file
 * system (MEMFS: the ESM build has no access to the real disk), reads the root group's attribute
 * names and the text of `wanted` ones, and removes the in-memory copy. HDF5 errors are thrown as
 * exceptions (its throwing error handler), never printed.
 * Throws FormatError: LIMIT_EXCEEDED (input over maxInputBytes, an attribute over maxTextBytes, more
 * than maxEntries attributes), BAD_MAGIC (no superblock at offset 0), BAD_STRUCTURE (HDF5 refuses
 * the file).
 */
export async function readHdf5RootAttributesInProcess(
  bytes: Uint8Array,
  wanted: readonly string[],
  limits: Pick<Limits, 'maxInputBytes' | 'maxEntries' | 'maxTextBytes'>,
): Promise<Hdf5RootAttributes> {
  checkLimit(bytes.byteLength, limits.maxInputBytes, 'HDF5 file size', 0);
  if (bytes.byteLength < 8 || !SIGNATURE.every((v, i) => bytes[i] === v)) {
    throw new FormatError('BAD_MAGIC', 'no HDF5 superblock at offset 0', 0);
  }
  const module = await h5wasm.ready;
  const fs = module.FS;
  module.activate_throwing_error_handler();
  const path = `/torchward-${process.pid}-${++sequence}.h5`;
  let file: InstanceType<typeof h5wasm.File> | undefined;
  try {
    fs.writeFile(path, bytes);
    file = new h5wasm.File(path, 'r');
    // h5wasm reports a failed open as file_id < 0 rather than throwing.
    if (file.file_id < 0n) throw new FormatError('BAD_STRUCTURE', 'HDF5 cannot open the file', 0);
    const attrs = file.attrs;
    const names = Object.keys(attrs).sort();
    checkLimit(names.length, limits.maxEntries, 'HDF5 root attributes', 0);
    const text = new Map<string, string>();
    for (const name of wanted) {
      if (!names.includes(name)) continue;
      const value = attrs[name]?.value;
      const s =
        typeof value === 'string'
          ? value
          : value instanceof Uint8Array
            ? decodeText(value)
            : undefined;
      if (s === undefined) continue;
      checkLimit(s.length, limits.maxTextBytes, `HDF5 attribute ${name}`, 0);
      text.set(name, s);
    }
    return { names, text };
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError(
      'BAD_STRUCTURE',
      error instanceof Error ? error.message : String(error),
      0,
      { cause: error },
    );
  } finally {
    try {
      file?.close();
    } catch {
      // Closing a file HDF5 could not read may fail again; the in-memory copy is removed below.
    }
    try {
      fs.unlink(path);
    } catch {
      // The write itself failed: nothing to remove.
    }
  }
}

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
