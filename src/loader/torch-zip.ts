import { checkStorageRecord } from '../core/tensor-geometry.js';
import { MemorySource } from '../core/byte-source.js';
import { FormatError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import type { PickleDecodeResult } from '../formats/pickle/records.js';
import { decodePickle } from '../formats/pickle/vm.js';
import {
  locateZipMember,
  openZipMember,
  type ZipArchive,
  type ZipEntry,
} from '../formats/zip/index.js';
import { LoadError } from './errors.js';
import { walkTorchPickle, type DeclaredStorage, type WalkResult } from './pickle-walk.js';
import type { PositionedFile } from './positioned-file.js';
import type { StorageRef } from './tensor.js';

/**
 * A deflated storage is inflated into memory; torch never writes one, so anything larger than
 * this is refused rather than allowed to break the loader's memory bound.
 */
const MAX_DEFLATED_STORAGE = 64 * 1024 * 1024;
/** A byteorder record holds 'little' or 'big'. */
const MAX_BYTEORDER = 16;

/**
 * Loads the tensors of a torch zip checkpoint (model-formats §3.2, §3.3): `<archive>/data.pkl`
 * decoded by the pickle VM and walked, each `('storage', type, key, location, numel)` resolved to
 * `<archive>/data/<key>`, which must exist once with exactly numel × itemsize bytes. Stored
 * members are read in place from the file; the `byteorder` record, when present, must say
 * 'little' or 'big' (big-endian data is byte-swapped). `archive` is the file's parsed central
 * directory. Throws LoadError.
 */
export async function loadTorchZip(
  file: PositionedFile,
  archive: ZipArchive,
  limits: Limits,
  /** Keep only the tensors (see walkTorchPickle). */
  tensorsOnly = false,
  /**
   * The scan's decode of a data pickle by member name, taken (removed) when present so the
   * pickle is neither read nor decoded twice (see DecodedUnits).
   */
  takeDecoded?: (name: string) => PickleDecodeResult | undefined,
): Promise<WalkResult> {
  const byName = new Map<string, ZipEntry[]>();
  for (const e of archive.entries) {
    const same = byName.get(e.name);
    if (same === undefined) byName.set(e.name, [e]);
    else same.push(e);
  }
  const pickles = archive.entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pickles.length !== 1 || pickles[0] === undefined) {
    throw new LoadError(
      'UNSUPPORTED',
      pickles.length === 0
        ? 'zip archive has no <archive>/data.pkl: not a torch checkpoint'
        : 'zip archive has several data.pkl records',
    );
  }
  const prefix = pickles[0].name.slice(0, -'data.pkl'.length);
  if (byName.has(`${prefix}constants.pkl`)) {
    throw new LoadError(
      'UNSUPPORTED',
      'TorchScript archive (constants.pkl): not a weights-only checkpoint',
    );
  }
  const bigEndian = await readByteorder(file, byName, prefix, limits);
  const resolved = new Map<string, PlacedRef>();
  const pending: { ref: PlacedRef; entry: ZipEntry; deflated: boolean }[] = [];
  const resolve = (storage: DeclaredStorage): StorageRef => {
    if (storage.view !== undefined) {
      throw new LoadError(
        'UNSUPPORTED',
        `storage '${storage.key}' has legacy view metadata inside a zip checkpoint`,
      );
    }
    const known = resolved.get(storage.key);
    if (known !== undefined) return known;
    const name = `${prefix}data/${storage.key}`;
    const entries = byName.get(name) ?? [];
    if (entries.length !== 1 || entries[0] === undefined) {
      throw new LoadError(
        'INVALID_STORAGE',
        entries.length === 0
          ? `storage record ${name} is missing`
          : `storage record ${name} appears ${entries.length} times`,
      );
    }
    const entry = entries[0];
    const nbytes = storage.numel * storage.dtype.itemsize;
    // The same record check as the scanner's pickle/unverified-persistent-id.
    const mismatch = checkStorageRecord(
      storage.numel,
      storage.dtype.itemsize,
      entry.uncompressedSize,
    );
    if (mismatch !== undefined) {
      throw new LoadError(
        'INVALID_STORAGE',
        `storage record ${name} (${storage.dtype.name}) ${mismatch}`,
      );
    }
    if (entry.method === 0 && entry.compressedSize !== nbytes) {
      throw new LoadError('INVALID_STORAGE', `stored record ${name} has mismatched sizes`);
    }
    // The data offset (and, for a deflated record, the source) is filled in below, once the
    // local header has been read: in place, so no tensor is copied to point at its storage.
    const ref: PlacedRef = { key: storage.key, source: file, start: 0, nbytes, bigEndian };
    resolved.set(storage.key, ref);
    pending.push({ ref, entry, deflated: entry.method !== 0 });
    return ref;
  };
  // The decode is only an argument here, so nothing holds it across the awaits that place the
  // storages below (for 100,000 tensors it is tens of megabytes).
  const walked = walkDataPickle(
    await decodeDataPickle(file, pickles[0], limits, takeDecoded),
    resolve,
    limits,
    tensorsOnly,
  );
  // Place each storage now: stored records are windows of the file, deflated ones are inflated.
  for (const { ref, entry, deflated } of pending) {
    if (deflated) {
      const bytes = await readMember(file, entry, limits, MAX_DEFLATED_STORAGE);
      ref.source = new MemorySource(bytes);
      ref.start = 0;
    } else {
      const located = await formatStep(() => locateZipMember(file, entry));
      ref.start = located.dataOffset;
    }
  }
  return walked;
}

/** A StorageRef while its record is being placed (see loadTorchZip). */
type PlacedRef = { -readonly [K in keyof StorageRef]: StorageRef[K] };

/** Walks a decoded data.pkl (one complete stream) with `resolve` for its storages. */
function walkDataPickle(
  decoded: PickleDecodeResult,
  resolve: (storage: DeclaredStorage) => StorageRef,
  limits: Limits,
  tensorsOnly: boolean,
): WalkResult {
  const stream = decoded.streams[0];
  if (decoded.error !== undefined || stream?.complete !== true || stream.root === undefined) {
    throw new LoadError(
      'UNSUPPORTED',
      `data.pkl does not decode: ${decoded.error?.message ?? 'no STOP'}`,
    );
  }
  return walkTorchPickle(
    stream.root,
    resolve,
    decoded.mutations,
    limits.maxEntries,
    undefined,
    tensorsOnly,
  );
}

/**
 * The data pickle's decode: the scan's (checked against the same size bounds as a fresh read),
 * or the member read and decoded here when the scan kept none.
 */
async function decodeDataPickle(
  file: PositionedFile,
  entry: ZipEntry,
  limits: Limits,
  takeDecoded: ((name: string) => PickleDecodeResult | undefined) | undefined,
): Promise<PickleDecodeResult> {
  const kept = takeDecoded?.(entry.name);
  if (kept !== undefined) {
    assertReadable(entry, limits, limits.maxInputBytes);
    return kept;
  }
  return decodePickle(await readMember(file, entry, limits, limits.maxInputBytes), { limits });
}

async function readByteorder(
  file: PositionedFile,
  byName: ReadonlyMap<string, ZipEntry[]>,
  prefix: string,
  limits: Limits,
): Promise<boolean> {
  const entries = byName.get(`${prefix}byteorder`);
  if (entries === undefined) return false;
  if (entries.length !== 1 || entries[0] === undefined) {
    throw new LoadError('INVALID_STORAGE', 'the byteorder record appears more than once');
  }
  const bytes = await readMember(file, entries[0], limits, MAX_BYTEORDER);
  const text = new TextDecoder().decode(bytes);
  if (text === 'little') return false;
  if (text === 'big') return true;
  throw new LoadError(
    'UNSUPPORTED',
    `byteorder record says ${JSON.stringify(text)}, not little or big`,
  );
}

/** Reads a whole member (stored or deflated) into memory, refusing more than `max` bytes. */
async function readMember(
  file: PositionedFile,
  entry: ZipEntry,
  limits: Limits,
  max: number,
): Promise<Uint8Array> {
  assertReadable(entry, limits, max);
  return formatStep(async () => {
    const located = await locateZipMember(file, entry);
    const opened = await openZipMember(file, located, limits, { inflatedBytes: 0 });
    const bytes = await opened.source.read(0, opened.source.size);
    if (bytes.byteLength !== entry.uncompressedSize) {
      throw new LoadError(
        'INVALID_STORAGE',
        `record ${entry.name} decodes to ${bytes.byteLength} bytes, not ${entry.uncompressedSize}`,
      );
    }
    return bytes;
  });
}

/** Refuses a record too large to hold in memory (over `max` bytes, or over maxInputBytes packed). */
function assertReadable(entry: ZipEntry, limits: Limits, max: number): void {
  if (entry.uncompressedSize > max || entry.compressedSize > Math.max(max, limits.maxInputBytes)) {
    throw new LoadError(
      'UNSUPPORTED',
      `record ${entry.name} is too large to read into memory (${entry.uncompressedSize} bytes)`,
    );
  }
}

/** Runs a format step, turning its FormatError into a LoadError (the scanner already judged it). */
async function formatStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof FormatError) {
      throw new LoadError('INVALID_STORAGE', `${error.code}: ${error.message}`, undefined, [], {
        cause: error,
      });
    }
    throw error;
  }
}
