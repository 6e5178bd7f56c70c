import type { Limits } from '../core/limits.js';
import { emptyDecodeResult, type PickleStreamInfo } from '../formats/pickle/records.js';
import type { PickleValue } from '../formats/pickle/value.js';
import { decodeOnePickle } from '../formats/pickle/vm.js';
import { LoadError } from './errors.js';
import {
  parseStoragePid,
  walkTorchPickle,
  type DeclaredStorage,
  type WalkResult,
} from './pickle-walk.js';
import type { PositionedFile } from './positioned-file.js';
import type { StorageRef } from './tensor.js';

/** torch.serialization MAGIC_NUMBER, the first pickle of a legacy stream. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** torch.serialization PROTOCOL_VERSION, the second pickle. */
const LEGACY_PROTOCOL = 1001;
/** First read of the pickles at the head of the file; grown ×4 while they run past it. */
const FIRST_WINDOW = 1024 * 1024;

/** True when `head` starts with the pickled legacy magic number (`\x80\x02\x8a\x0a` + 10 bytes). */
export function hasLegacyMagic(head: Uint8Array): boolean {
  const sig = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
  return sig.every((b, i) => head[i] === b);
}

/**
 * Loads the tensors of a legacy (non-zip) torch stream (model-formats §3.4): the magic, protocol
 * version and sys_info pickles are checked (little-endian only: legacy big-endian data is
 * refused), the main pickle is walked, then the storage-key list gives the order of the raw
 * storages that follow, each an int64 element count (which must equal the count its persistent
 * id declared) and its bytes. Views of a root storage (legacy view_metadata) must lie inside it.
 * Throws LoadError.
 */
export async function loadTorchLegacy(file: PositionedFile, limits: Limits): Promise<WalkResult> {
  const head = await decodeHead(file, limits);
  const [magic, protocol, sysInfo, main, keyList] = head.streams;
  if (head.roots[0] !== LEGACY_MAGIC || magic === undefined) {
    throw new LoadError(
      'UNSUPPORTED',
      'not a legacy torch stream: the first pickle is not the magic number',
    );
  }
  if (head.roots[1] !== LEGACY_PROTOCOL || protocol === undefined) {
    throw new LoadError('UNSUPPORTED', `legacy protocol version is not ${LEGACY_PROTOCOL}`);
  }
  if (dictGet(head.roots[2] ?? null, 'little_endian') !== true || sysInfo === undefined) {
    throw new LoadError(
      'UNSUPPORTED',
      'legacy checkpoint was not written little-endian (sys_info); refused',
    );
  }
  if (main?.root === undefined || keyList === undefined) {
    throw new LoadError('UNSUPPORTED', 'legacy stream has no main pickle');
  }
  const keys = stringList(head.roots[4] ?? null);
  // Every storage the main pickle declares, by root key (the walker checks later ones agree).
  const declared = new Map<string, DeclaredStorage>();
  for (const p of head.persistent) {
    if (p.offset < main.start || p.offset >= main.end) continue;
    const storage = parseStoragePid(p);
    if (!declared.has(storage.key)) declared.set(storage.key, storage);
  }
  const roots = new Map<string, StorageRef>();
  let pos = keyList.end;
  for (const key of keys) {
    const storage = declared.get(key);
    if (storage === undefined) {
      throw new LoadError(
        'INVALID_STORAGE',
        `storage '${key}' is listed but no tensor declares it`,
      );
    }
    if (roots.has(key)) throw new LoadError('INVALID_STORAGE', `storage '${key}' is listed twice`);
    const countBytes = await file.read(pos, 8);
    if (countBytes.byteLength !== 8) {
      throw new LoadError('INVALID_STORAGE', `file ends before the size of storage '${key}'`);
    }
    const count = new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, true);
    if (count !== BigInt(storage.numel)) {
      throw new LoadError(
        'INVALID_STORAGE',
        `storage '${key}' holds ${count} elements in the file but its tensor declares ${storage.numel}`,
      );
    }
    const nbytes = storage.numel * storage.dtype.itemsize;
    const start = pos + 8;
    if (!Number.isSafeInteger(nbytes) || start + nbytes > file.size) {
      throw new LoadError(
        'INVALID_STORAGE',
        `storage '${key}' (${nbytes} bytes at ${start}) runs past the end of the file`,
      );
    }
    roots.set(key, { key, source: file, start, nbytes, bigEndian: false });
    pos = start + nbytes;
  }
  const resolve = (storage: DeclaredStorage): StorageRef => {
    const root = roots.get(storage.key);
    if (root === undefined) {
      throw new LoadError('INVALID_STORAGE', `storage '${storage.key}' is not in the storage list`);
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
  return walkTorchPickle(main.root, resolve);
}

interface LegacyHead {
  readonly streams: PickleStreamInfo[];
  readonly roots: PickleValue[];
  readonly persistent: {
    readonly offset: number;
    readonly kind: 'persistent';
    readonly pid: PickleValue;
    readonly opcode: 'PERSID' | 'BINPERSID';
  }[];
}

/** Decodes the five pickles at the head of the file, reading more of it while they run past. */
async function decodeHead(file: PositionedFile, limits: Limits): Promise<LegacyHead> {
  let window = Math.min(file.size, FIRST_WINDOW);
  for (;;) {
    const bytes = await file.read(0, window);
    const result = emptyDecodeResult(0);
    const streams: PickleStreamInfo[] = [];
    let pos = 0;
    let truncated = false;
    for (let i = 0; i < 5; i++) {
      const info = decodeOnePickle(bytes, pos, result, { limits });
      if (!info.complete) {
        truncated = result.error?.code === 'TRUNCATED';
        if (!truncated) {
          throw new LoadError(
            'UNSUPPORTED',
            `legacy pickle ${i + 1} does not decode: ${result.error?.message ?? 'no STOP'}`,
          );
        }
        break;
      }
      streams.push(info);
      pos = info.end;
    }
    if (!truncated) {
      return { streams, roots: streams.map((s) => s.root ?? null), persistent: result.persistent };
    }
    if (window >= file.size || window >= limits.maxInputBytes) {
      throw new LoadError('INVALID_STORAGE', 'legacy stream ends inside its pickles');
    }
    window = Math.min(file.size, limits.maxInputBytes, window * 4);
  }
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
