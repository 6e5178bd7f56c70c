import { checkStorageRecord } from '../core/tensor-geometry.js';
import type { Limits } from '../core/limits.js';
import { decodeTorchLegacy, type TorchLegacyScan } from '../formats/pickle/torch-legacy.js';
import type { PickleValue } from '../formats/pickle/value.js';
import { LoadError } from './errors.js';
import { walkTorchPickle, type DeclaredStorage, type WalkResult } from './pickle-walk.js';
import type { PositionedFile } from './positioned-file.js';
import type { StorageRef } from './tensor.js';

/**
 * Loads the tensors of a legacy (non-zip) torch stream (model-formats §3.4): the magic, protocol
 * version and sys_info pickles are checked (little-endian only: legacy big-endian data is
 * refused), the main pickle is walked, then the storage-key list gives the order of the raw
 * storages that follow, each an int64 element count (which must equal the count its persistent
 * id declared) and its bytes. Views of a root storage (legacy view_metadata) must lie inside it.
 * Throws LoadError.
 */
export async function loadTorchLegacy(
  file: PositionedFile,
  limits: Limits,
  /** Keep only the tensors (see walkTorchPickle). */
  tensorsOnly = false,
  /** The scan's decode of this very file (see DecodedUnits), used instead of decoding again. */
  kept?: TorchLegacyScan,
): Promise<WalkResult> {
  // The pickle package's legacy reader decodes the five pickles and sizes every storage.
  const { decoded, storages } =
    kept ??
    (await decodeTorchLegacy(file, {
      limits,
      maxEntries: limits.maxEntries,
    }));
  if (decoded.error !== undefined) {
    throw new LoadError(
      'INVALID_STORAGE',
      `legacy stream: ${decoded.error.code}: ${decoded.error.message}`,
    );
  }
  const [, , sysInfo, main, keyList] = decoded.streams;
  if (sysInfo === undefined || main?.root === undefined || keyList === undefined) {
    throw new LoadError('UNSUPPORTED', 'legacy stream has no main pickle');
  }
  if (dictGet(sysInfo.root ?? null, 'little_endian') !== true) {
    throw new LoadError(
      'UNSUPPORTED',
      'legacy checkpoint was not written little-endian (sys_info); refused',
    );
  }
  const keys = stringList(keyList.root ?? null);
  // Where each listed storage's bytes lie, from the sizes the file gives them (the scan read
  // each int64 element count): the element counts and dtypes the main pickle declares are checked
  // against them as the walk meets each tensor, so no second table of 100,000 declarations is built before the walk.
  const roots = new Map<string, StorageRef>();
  let pos = keyList.end;
  for (const key of keys) {
    const stored = storages.get(key);
    if (stored === undefined) {
      throw new LoadError(
        'INVALID_STORAGE',
        `storage '${key}' is listed but no tensor declares it`,
      );
    }
    if (roots.has(key)) throw new LoadError('INVALID_STORAGE', `storage '${key}' is listed twice`);
    roots.set(key, { key, source: file, start: pos + 8, nbytes: stored, bigEndian: false });
    pos += 8 + stored;
  }
  const resolve = (storage: DeclaredStorage): StorageRef => {
    const root = roots.get(storage.key);
    if (root === undefined) {
      throw new LoadError('INVALID_STORAGE', `storage '${storage.key}' is not in the storage list`);
    }
    // The same record check as the scanner's pickle/unverified-persistent-id.
    if (checkStorageRecord(storage.numel, storage.dtype.itemsize, root.nbytes) !== undefined) {
      throw new LoadError(
        'INVALID_STORAGE',
        `storage '${storage.key}' holds ${root.nbytes} bytes in the file but its tensor declares ${storage.numel} × ${storage.dtype.name}`,
      );
    }
    const view = storage.view;
    if (view === undefined) return root;
    const item = BigInt(storage.dtype.itemsize);
    if (BigInt(view.offset) + BigInt(view.numel) > BigInt(storage.numel)) {
      throw new LoadError(
        'INVALID_STORAGE',
        `storage view '${view.key}' [${view.offset}, +${view.numel}) lies outside its root '${storage.key}' of ${storage.numel} elements`,
      );
    }
    return {
      key: `${storage.key}/${view.key}`,
      source: file,
      start: root.start + Number(BigInt(view.offset) * item),
      nbytes: Number(BigInt(view.numel) * item),
      bigEndian: false,
    };
  };
  return walkTorchPickle(
    main.root,
    resolve,
    decoded.mutations.filter((m) => m.offset >= main.start && m.offset < main.end),
    limits.maxEntries,
    undefined,
    tensorsOnly,
  );
}

function dictGet(value: PickleValue, key: string): PickleValue | undefined {
  if (typeof value !== 'object' || value?.kind !== 'dict') return undefined;
  for (const [k, v] of value.entries) if (k === key) return v;
  return undefined;
}

function stringList(value: PickleValue): string[] {
  if (typeof value === 'object' && value !== null && value.kind === 'list') {
    if (value.items.every((v): v is string => typeof v === 'string')) return value.items;
  }
  throw new LoadError('UNSUPPORTED', 'the legacy storage-key list is not a list of strings');
}
