import { SliceSource, type ByteSource } from '../../core/byte-source.js';
import { FormatError } from '../../core/errors.js';
import {
  emptyDecodeResult,
  mergeRecords,
  type PickleDecodeResult,
  type PickleStreamInfo,
} from './records.js';
import { storageElementSize } from './storage-types.js';
import { isKind, type PickleValue } from './value.js';
import {
  decodeOnePickle,
  decodeOnePickleSource,
  decodePickle,
  type PickleDecodeOptions,
} from './vm.js';

/** The legacy stream's first pickle: this int, written literally (reference §3.4). */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** The legacy stream's second pickle (torch.serialization.PROTOCOL_VERSION). */
export const LEGACY_PROTOCOL_VERSION = 1001;

// Pickles in a legacy file are read by positioned reads of this much, window after window as the
// decoder reaches the end of one (never beyond maxInputBytes past the pickle's start). Decoding
// each pickle again in a window four times larger until one held it cost 1.4 decodes of the main
// pickle, and the abandoned tries' values stayed on the heap as garbage (tens of MB for 100,000
// tensors).
const WINDOW = 1024 * 1024;

/**
 * True when `head` starts with the legacy magic pickle as torch writes it: one pickle whose
 * value is the literal int 0x1950a86a20f9469cfc6c and which names no global and calls nothing.
 * A magic computed by a call (`eval("0x1950…")`, bypass C11) is not a legacy header: such a file
 * is scanned as raw pickles, all of them.
 */
export function hasLegacyMagic(head: Uint8Array): boolean {
  if (head.byteLength < 2) return false;
  const r = emptyDecodeResult(0);
  const info = decodeOnePickle(head, 0, r, {
    limits: { maxOpcodes: 64, maxStack: 64, maxMemo: 64, maxInputBytes: head.byteLength },
  });
  return (
    info.complete &&
    info.root === LEGACY_MAGIC &&
    r.globals.length === 0 &&
    r.calls.length === 0 &&
    r.persistent.length === 0
  );
}

export interface TorchLegacyScan {
  /** Every pickle of the file, merged. */
  readonly decoded: PickleDecodeResult;
  /** Storage key → stored bytes (numel × element size), as the file holds them. */
  readonly storages: Map<string, number>;
}

/** Appends a whole decode (its streams, error and end too) of one of the file's pickles. */
function merge(into: PickleDecodeResult, from: PickleDecodeResult): void {
  for (const x of from.streams) into.streams.push(x);
  mergeRecords(into, from);
  if (from.error !== undefined) into.error ??= from.error;
  if (from.end > into.end) into.end = from.end;
}

/**
 * Reads a torch legacy stream (magic, protocol, sys_info, main pickle, storage-key list, then
 * per key an int64 numel and the raw storage bytes) from `source`. Pickles are read through
 * positioned reads; storage bytes are skipped unread, so the cost does not depend on tensor
 * sizes. Bytes after the last storage are decoded as further pickles. Never throws for bad
 * input: the first FormatError is in `decoded.error`, with everything recorded before it.
 */
export async function decodeTorchLegacy(
  source: ByteSource,
  options: PickleDecodeOptions & { readonly maxEntries: number },
): Promise<TorchLegacyScan> {
  const decoded = emptyDecodeResult(0);
  const storages = new Map<string, number>();
  const size = source.size;
  const maxWindow = Math.min(size, options.limits.maxInputBytes);
  let offset = 0;

  const readPickle = async (): Promise<PickleStreamInfo | undefined> => {
    // A pickle may run up to maxInputBytes past its start, never further. Decoded straight into
    // the file's records (a scratch result merged in copied 300,000 records for 100,000 tensors).
    const bounded = new SliceSource(source, 0, Math.min(size, offset + maxWindow));
    const info = await decodeOnePickleSource(bounded, offset, decoded, {
      ...options,
      window: WINDOW,
    });
    if (!info.complete) return undefined;
    offset = info.end;
    return info;
  };
  const fail = (
    code: 'BAD_VALUE' | 'BAD_STRUCTURE' | 'TRUNCATED' | 'LIMIT_EXCEEDED',
    why: string,
  ) => {
    decoded.error ??= new FormatError(code, why, offset);
  };

  const magic = await readPickle();
  if (magic === undefined) return { decoded, storages };
  if (magic.root !== LEGACY_MAGIC) {
    fail('BAD_VALUE', 'legacy magic number is not the literal 0x1950a86a20f9469cfc6c');
    return { decoded, storages };
  }
  const protocol = await readPickle();
  if (protocol === undefined) return { decoded, storages };
  if (protocol.root !== LEGACY_PROTOCOL_VERSION) {
    fail('BAD_VALUE', 'legacy protocol version is not 1001');
    return { decoded, storages };
  }
  if ((await readPickle()) === undefined) return { decoded, storages }; // sys_info
  const mainStart = decoded.persistent.length;
  if ((await readPickle()) === undefined) return { decoded, storages };
  const elementSizes = new Map<string, number>();
  for (const p of decoded.persistent.slice(mainStart)) {
    const pid = p.pid;
    if (!isKind(pid, 'tuple')) continue;
    const [, type, key] = pid.items;
    if (typeof key !== 'string' || !isKind(type, 'global')) continue;
    const elementSize = storageElementSize(type.module, type.name);
    if (elementSize !== undefined) elementSizes.set(key, elementSize);
  }
  const keysInfo = await readPickle();
  if (keysInfo === undefined) return { decoded, storages };
  const keys: PickleValue = keysInfo.root ?? null;
  if (!isKind(keys, 'list') || !keys.items.every((k) => typeof k === 'string')) {
    fail('BAD_STRUCTURE', 'legacy storage key list is not a list of str');
    return { decoded, storages };
  }
  if (keys.items.length > options.maxEntries) {
    fail('LIMIT_EXCEEDED', `legacy file lists ${keys.items.length} storages`);
    return { decoded, storages };
  }
  for (const key of keys.items) {
    const elementSize = elementSizes.get(key);
    if (elementSize === undefined) {
      fail('BAD_STRUCTURE', `storage '${key}' has no storage type in the main pickle`);
      return { decoded, storages };
    }
    if (size - offset < 8) {
      fail('TRUNCATED', `storage '${key}' has no size field`);
      return { decoded, storages };
    }
    const head = await source.read(offset, 8);
    const numel = new DataView(head.buffer, head.byteOffset, 8).getBigInt64(0, true);
    const nbytes = numel * BigInt(elementSize);
    if (numel < 0n || nbytes > BigInt(size - offset - 8)) {
      fail('TRUNCATED', `storage '${key}' claims ${nbytes} bytes past the end of the file`);
      return { decoded, storages };
    }
    storages.set(key, Number(nbytes));
    offset += 8 + Number(nbytes);
  }
  if (offset < size) {
    // torch stops here, but bytes after the last storage are what a second reader would see.
    const rest = size - offset;
    if (rest > options.limits.maxInputBytes) {
      fail('LIMIT_EXCEEDED', `${rest} trailing bytes after the last storage`);
      return { decoded, storages };
    }
    const bytes = await source.read(offset, rest);
    merge(decoded, decodePickle(bytes, { ...options, base: offset }));
  }
  return { decoded, storages };
}
