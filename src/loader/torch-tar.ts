import type { Limits } from '../core/limits.js';
import type { PickleStreamInfo } from '../formats/pickle/records.js';
import { isKind, type PickleValue } from '../formats/pickle/value.js';
import { decodePickle } from '../formats/pickle/vm.js';
import {
  decodeTorchTar,
  isTorchTar,
  torchTarMember,
  readTarArchive,
  type TarMember,
} from '../formats/tar/index.js';
import type { TorchTarDecode } from '../engine/decoded-units.js';
import { dtypeOfStorageGlobal, type Dtype } from './dtype.js';
import { LoadError } from './errors.js';
import { walkTorchPickle, type WalkResult } from './pickle-walk.js';
import type { PositionedFile } from './positioned-file.js';
import { checkTensorGeometry, type TensorGeometry } from './storage-bounds.js';
import type { StorageRef } from './tensor.js';

/** A storage of the `storages` member: its element type and bytes. */
interface TarStorage {
  readonly dtype: Dtype;
  readonly numel: number;
  readonly ref: StorageRef;
}

/** torch caps tensor rank at 64; the `tensors` member's ndim field is checked against it. */
const MAX_RANK = 64;

/**
 * Loads a legacy tar checkpoint (torch < 0.4, model-formats §3.5) as torch 1.13's `legacy_load`
 * reads it: the tar package decodes the side members, `storages` gives each storage's type and
 * raw bytes (read in place, after the int64 element count) and the view list, `tensors` gives
 * each tensor's storage, sizes, strides and offset, and the `pickle` member names tensors by
 * persistent id `str(key)` (torch looks it up as `int(saved_id)`). Throws LoadError.
 */
export async function loadTorchTar(
  file: PositionedFile,
  limits: Limits,
  /** Keep only the tensors (see walkTorchPickle). */
  tensorsOnly = false,
  /** The scan's decode of this very file (listing, side pickles, main pickle), when it kept one. */
  kept?: TorchTarDecode,
): Promise<WalkResult> {
  const archive = kept?.archive ?? (await readTarArchive(file, limits));
  if (archive.error !== undefined || !isTorchTar(archive.members)) {
    throw new LoadError('UNSUPPORTED', 'tar archive is not a legacy torch checkpoint');
  }
  const options = { limits, maxEntries: limits.maxEntries };
  const { decoded } = kept?.side ?? (await decodeTorchTar(file, archive.members, options));
  if (decoded.error !== undefined) {
    throw new LoadError(
      'INVALID_STORAGE',
      `legacy tar: ${decoded.error.code}: ${decoded.error.message}`,
    );
  }
  const member = (name: string): TarMember => {
    const m = torchTarMember(archive.members, name);
    if (m === undefined) throw new LoadError('UNSUPPORTED', `legacy tar has no ${name} member`);
    return m;
  };
  const storagesMember = member('storages');
  const tensorsMember = member('tensors');
  const pickleMember = member('pickle');
  const inside = (m: TarMember) => (s: PickleStreamInfo) =>
    s.start >= m.dataOffset && s.start < m.dataOffset + m.size;

  // storages: count, then per storage (key, location, type) + int64 numel + bytes, then views.
  const st = decoded.streams.filter(inside(storagesMember));
  const storageCount = countOf(st[0]);
  const storages = new Map<string, TarStorage>();
  for (const args of st.slice(1, 1 + storageCount)) {
    const [key, , type] = tupleOf(args.root, 3, 'storage entry');
    const dtype = isKind(type, 'global') ? dtypeOfStorageGlobal(type.module, type.name) : undefined;
    if (dtype === undefined)
      throw new LoadError('UNSUPPORTED', 'legacy tar storage of an unknown type');
    const count = await readI64(file, args.end, storagesMember);
    const nbytes = count * dtype.itemsize;
    const start = args.end + 8;
    if (
      !Number.isSafeInteger(nbytes) ||
      start + nbytes > storagesMember.dataOffset + storagesMember.size
    ) {
      throw new LoadError(
        'INVALID_STORAGE',
        `legacy tar storage ${keyText(key)} runs past its member`,
      );
    }
    const k = keyText(key);
    if (storages.has(k))
      throw new LoadError('INVALID_STORAGE', `legacy tar storage ${k} appears twice`);
    storages.set(k, {
      dtype,
      numel: count,
      ref: { key: k, source: file, start, nbytes, bigEndian: false },
    });
  }
  const views = st[1 + storageCount]?.root ?? null;
  for (const view of listOf(views)) {
    const [target, root, offset, numel] = tupleOf(view, 4, 'storage view');
    const base = storages.get(keyText(root));
    if (
      base === undefined ||
      typeof offset !== 'number' ||
      typeof numel !== 'number' ||
      offset < 0 ||
      numel < 0
    ) {
      throw new LoadError('INVALID_STORAGE', 'legacy tar storage view names no storage');
    }
    if (offset + numel > base.numel) {
      throw new LoadError(
        'INVALID_STORAGE',
        `legacy tar storage view ${keyText(target)} lies outside its root`,
      );
    }
    const item = base.dtype.itemsize;
    storages.set(keyText(target), {
      dtype: base.dtype,
      numel,
      ref: {
        ...base.ref,
        key: keyText(target),
        start: base.ref.start + offset * item,
        nbytes: numel * item,
      },
    });
  }

  // tensors: count, then per tensor (key, storage_key, type) + ndim, pad, sizes, strides, offset.
  const ts = decoded.streams.filter(inside(tensorsMember));
  const tensorCount = countOf(ts[0]);
  const tensors = new Map<string, TensorGeometry & { dtype: Dtype; storage: StorageRef }>();
  for (const args of ts.slice(1, 1 + tensorCount)) {
    const [key, storageKey] = tupleOf(args.root, 3, 'tensor entry');
    const storage = storages.get(keyText(storageKey));
    if (storage === undefined) {
      throw new LoadError('INVALID_STORAGE', `legacy tar tensor ${keyText(key)} names no storage`);
    }
    const head = await file.read(args.end, 8);
    if (head.byteLength !== 8)
      throw new LoadError('INVALID_STORAGE', 'legacy tar tensor record cut off');
    const ndim = new DataView(head.buffer, head.byteOffset, 8).getInt32(0, true);
    if (ndim < 0 || ndim > MAX_RANK)
      throw new LoadError('INVALID_STORAGE', `legacy tar tensor of rank ${ndim}`);
    const body = await file.read(args.end + 8, ndim * 16 + 8);
    if (body.byteLength !== ndim * 16 + 8)
      throw new LoadError('INVALID_STORAGE', 'legacy tar tensor record cut off');
    const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const at = (i: number): bigint => view.getBigInt64(i * 8, true);
    const sizes = Array.from({ length: ndim }, (_, i) => at(i));
    const strides = Array.from({ length: ndim }, (_, i) => at(ndim + i));
    const geometry = checkTensorGeometry(
      keyText(key),
      sizes,
      strides,
      at(2 * ndim),
      storage.dtype.itemsize,
      storage.ref.nbytes,
    );
    tensors.set(keyText(key), { ...geometry, dtype: storage.dtype, storage: storage.ref });
  }

  if (pickleMember.size > limits.maxInputBytes) {
    throw new LoadError(
      'UNSUPPORTED',
      `legacy tar pickle of ${pickleMember.size} bytes exceeds maxInputBytes`,
    );
  }
  const main =
    kept?.pickle ??
    decodePickle(await file.read(pickleMember.dataOffset, pickleMember.size), {
      limits,
      base: pickleMember.dataOffset,
    });
  const stream = main.streams[0];
  if (main.error !== undefined || stream?.root === undefined) {
    throw new LoadError(
      'UNSUPPORTED',
      `legacy tar pickle does not decode: ${main.error?.message ?? 'no STOP'}`,
    );
  }
  return walkTorchPickle(
    stream.root,
    (storage) => {
      throw new LoadError(
        'UNSUPPORTED',
        `legacy tar pickle names storage '${storage.key}' directly`,
      );
    },
    main.mutations,
    limits.maxEntries,
    (pid, path) => {
      // persistent_load: deserialized_objects[int(saved_id)]; only tensors are data here.
      const text =
        typeof pid === 'string' ? pid.trim() : typeof pid === 'number' ? String(pid) : undefined;
      const tensor =
        text !== undefined && /^\d+$/.test(text) ? tensors.get(String(BigInt(text))) : undefined;
      if (tensor === undefined) {
        throw new LoadError(
          'UNSUPPORTED',
          `persistent id at '${path.join('.')}' names no tensor of the tar`,
        );
      }
      return tensor;
    },
    tensorsOnly,
  );
}

function countOf(stream: PickleStreamInfo | undefined): number {
  const n = stream?.root;
  if (typeof n !== 'number' || n < 0)
    throw new LoadError('INVALID_STORAGE', 'legacy tar count is not an int');
  return n;
}

function tupleOf(
  value: PickleValue | undefined,
  length: number,
  what: string,
): readonly PickleValue[] {
  if (value !== undefined && isKind(value, 'tuple') && value.items.length === length)
    return value.items;
  throw new LoadError('INVALID_STORAGE', `legacy tar ${what} is not a ${length}-tuple`);
}

function listOf(value: PickleValue): readonly PickleValue[] {
  if (isKind(value, 'list')) return value.items;
  throw new LoadError('INVALID_STORAGE', 'legacy tar storage views are not a list');
}

function keyText(key: PickleValue | undefined): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  throw new LoadError('INVALID_STORAGE', 'legacy tar key is neither an int nor a str');
}

async function readI64(file: PositionedFile, at: number, member: TarMember): Promise<number> {
  if (at + 8 > member.dataOffset + member.size)
    throw new LoadError('INVALID_STORAGE', 'legacy tar storage cut off');
  const b = await file.read(at, 8);
  const n = new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
  if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new LoadError('INVALID_STORAGE', `legacy tar storage of ${n} elements`);
  return Number(n);
}
