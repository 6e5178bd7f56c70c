import type { ByteSource } from '../../core/byte-source.js';
import { FormatError } from '../../core/errors.js';
import { decodeOnePickle, type PickleDecodeOptions } from '../pickle/vm.js';
import {
  emptyDecodeResult,
  type PickleDecodeResult,
  type PickleStreamInfo,
} from '../pickle/records.js';
import { storageElementSize } from '../pickle/storage-types.js';
import { isInt, isKind } from '../pickle/value.js';
import type { TarMember } from './tar-archive.js';

/** Member names of a torch < 0.4 tar checkpoint (reference §3.5). */
export const TORCH_TAR_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'] as const;

/**
 * True when the archive has the members torch's legacy tar loader extracts: `storages`,
 * `tensors` and `pickle` (torch 1.13 still loads such files; bypass C10).
 */
export function isTorchTar(members: readonly TarMember[]): boolean {
  const names = new Set(members.map((m) => m.name));
  return names.has('pickle') && names.has('storages') && names.has('tensors');
}

/**
 * The member torch reads for `name`: tarfile's getmember returns the last one of that name,
 * so a later duplicate wins.
 */
export function torchTarMember(members: readonly TarMember[], name: string): TarMember | undefined {
  let found: TarMember | undefined;
  for (const m of members) if (m.name === name) found = m;
  return found;
}

export interface TorchTarScan {
  /** Every pickle torch unpickles from `sys_info`, `storages` and `tensors`, merged. */
  readonly decoded: PickleDecodeResult;
  /**
   * Storage key → byte size, as `storages` holds them, plus each tensor key of `tensors` → the
   * byte size of the storage it views (torch resolves a persistent id to either).
   */
  readonly storages: Map<string, number>;
}

const FIRST_WINDOW = 64 * 1024;

/**
 * Decodes the side members of a legacy torch tar as torch.serialization.legacy_load reads them:
 * `storages` (count pickle; per storage a `(key, location, storage_type)` pickle, an int64 element
 * count and raw bytes, skipped unread; a views pickle) and `tensors` (count pickle; per tensor a
 * `(key, storage_id, type)` pickle, int32 ndim, 4 bytes, sizes, strides, offset). Every pickle
 * among them is something torch unpickles, so all are returned for judging. Never throws for bad
 * input: the first FormatError is in `decoded.error`.
 */
export async function decodeTorchTar(
  source: ByteSource,
  members: readonly TarMember[],
  options: PickleDecodeOptions & { readonly maxEntries: number },
): Promise<TorchTarScan> {
  const decoded = emptyDecodeResult(0);
  const storages = new Map<string, number>();
  const elementSizes = new Map<string, number>();
  const fail = (
    code: 'BAD_STRUCTURE' | 'TRUNCATED' | 'LIMIT_EXCEEDED',
    why: string,
    at: number,
  ): void => {
    decoded.error ??= new FormatError(code, why, at);
  };
  for (const name of ['sys_info', 'storages', 'tensors'] as const) {
    const member = torchTarMember(members, name);
    if (member === undefined) continue;
    const r = new MemberCursor(source, member, decoded, options);
    if (name === 'sys_info') {
      await r.pickle();
      continue;
    }
    const count = (await r.pickle())?.root;
    if (typeof count !== 'number' || count < 0) {
      if (decoded.error === undefined)
        fail('BAD_STRUCTURE', `${name}: count is not an int`, member.dataOffset);
      return { decoded, storages };
    }
    if (count > options.maxEntries) {
      fail('LIMIT_EXCEEDED', `${name}: ${count} entries`, member.dataOffset);
      return { decoded, storages };
    }
    for (let i = 0; i < count; i++) {
      const args = (await r.pickle())?.root;
      if (args === undefined) return { decoded, storages };
      if (!isKind(args, 'tuple') || args.items.length !== 3) {
        fail('BAD_STRUCTURE', `${name}: entry ${i} is not a 3-tuple`, r.absolute);
        return { decoded, storages };
      }
      if (name === 'storages') {
        const [key, , type] = args.items;
        const size =
          type !== undefined && isKind(type, 'global')
            ? storageElementSize(type.module, type.name)
            : undefined;
        // torch < 0.4 wrote the storage keys as ints (str(id) only came with the zip format);
        // torch's legacy loader uses whatever key it finds, so both are read as their text.
        const keyText =
          typeof key === 'string' || typeof key === 'number' || typeof key === 'bigint'
            ? String(key)
            : undefined;
        if (keyText === undefined || size === undefined) {
          fail('BAD_STRUCTURE', `storages: entry ${i} has no key and storage type`, r.absolute);
          return { decoded, storages };
        }
        const numel = await r.i64();
        if (numel === undefined) return { decoded, storages };
        const nbytes = numel * BigInt(size);
        if (numel < 0n || !r.fits(nbytes)) {
          fail(
            'TRUNCATED',
            `storage '${keyText}' claims ${nbytes} bytes past the member's end`,
            r.absolute,
          );
          return { decoded, storages };
        }
        storages.set(keyText, Number(nbytes));
        elementSizes.set(keyText, size);
        r.skip(Number(nbytes));
      } else {
        // torch resolves a pid to a tensor key as well as to a storage key (legacy_load's
        // deserialized_objects): a tensor key names its storage's bytes.
        const [key, storageId] = args.items;
        const storage =
          typeof storageId === 'string' || typeof storageId === 'number'
            ? storages.get(String(storageId))
            : undefined;
        if ((typeof key === 'string' || typeof key === 'number') && storage !== undefined) {
          storages.set(String(key), storage);
        }
        const head = await r.bytes(8);
        if (head === undefined) return { decoded, storages };
        const ndim = new DataView(head.buffer, head.byteOffset, 8).getInt32(0, true);
        if (ndim < 0 || !r.fits(BigInt(ndim) * 16n + 8n)) {
          fail('BAD_STRUCTURE', `tensors: entry ${i} has ${ndim} dimensions`, r.absolute);
          return { decoded, storages };
        }
        r.skip(ndim * 16 + 8);
      }
    }
    if (name === 'storages') {
      // The views list: (view_key, root_key, offset, numel) in elements of the root storage;
      // torch makes each view a storage of its own that tensors may name.
      const views = (await r.pickle())?.root;
      if (views !== undefined && isKind(views, 'list')) {
        for (const view of views.items) {
          if (!isKind(view, 'tuple') || view.items.length !== 4) continue;
          const [viewKey, rootKey, offset, numel] = view.items;
          const root =
            rootKey === undefined || (!isInt(rootKey) && typeof rootKey !== 'string')
              ? undefined
              : String(rootKey);
          const rootBytes = root === undefined ? undefined : storages.get(root);
          const size = root === undefined ? undefined : elementSizes.get(root);
          if (
            viewKey === undefined ||
            (typeof viewKey !== 'string' && !isInt(viewKey)) ||
            rootBytes === undefined ||
            size === undefined ||
            offset === undefined ||
            numel === undefined ||
            !isInt(offset) ||
            !isInt(numel)
          ) {
            continue;
          }
          const end = (BigInt(offset) + BigInt(numel)) * BigInt(size);
          // A view past its root is left out, so tensors naming it are reported, not trusted.
          if (BigInt(offset) < 0n || BigInt(numel) < 0n || end > BigInt(rootBytes)) continue;
          storages.set(String(viewKey), Number(BigInt(numel) * BigInt(size)));
          elementSizes.set(String(viewKey), size);
        }
      }
    }
  }
  return { decoded, storages };
}

/** Reads pickles and raw fields from one tar member by positioned reads. */
class MemberCursor {
  private pos = 0;

  constructor(
    private readonly source: ByteSource,
    private readonly member: TarMember,
    private readonly decoded: PickleDecodeResult,
    private readonly options: PickleDecodeOptions,
  ) {}

  get absolute(): number {
    return this.member.dataOffset + this.pos;
  }

  fits(n: bigint): boolean {
    return n <= BigInt(this.member.size - this.pos);
  }

  skip(n: number): void {
    this.pos += n;
  }

  async bytes(n: number): Promise<Uint8Array | undefined> {
    if (this.member.size - this.pos < n) {
      this.decoded.error ??= new FormatError(
        'TRUNCATED',
        `${this.member.name} ends early`,
        this.absolute,
      );
      return undefined;
    }
    const b = await this.source.read(this.absolute, n);
    this.pos += n;
    return b;
  }

  async i64(): Promise<bigint | undefined> {
    const b = await this.bytes(8);
    return b === undefined
      ? undefined
      : new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
  }

  /** Decodes the next pickle, growing the read window ×4 while it runs past it. */
  async pickle(): Promise<PickleStreamInfo | undefined> {
    const left = this.member.size - this.pos;
    const max = Math.min(left, this.options.limits.maxInputBytes);
    let window = Math.min(FIRST_WINDOW, max);
    for (;;) {
      const bytes = await this.source.read(this.absolute, window);
      const scratch = emptyDecodeResult(this.absolute);
      const info = decodeOnePickle(bytes, 0, scratch, { ...this.options, base: this.absolute });
      if (!info.complete && scratch.error?.code === 'TRUNCATED' && window < max) {
        window = Math.min(window * 4, max);
        continue;
      }
      merge(this.decoded, scratch);
      if (!info.complete) return undefined;
      this.pos = info.end - this.member.dataOffset;
      return info;
    }
  }
}

function merge(into: PickleDecodeResult, from: PickleDecodeResult): void {
  into.streams.push(...from.streams);
  into.globals.push(...from.globals);
  into.calls.push(...from.calls);
  into.builds.push(...from.builds);
  into.persistent.push(...from.persistent);
  into.mutations.push(...from.mutations);
  into.exts.push(...from.exts);
  into.anomalies.push(...from.anomalies);
  into.skipped.push(...from.skipped);
  into.opcodes += from.opcodes;
  if (from.error !== undefined) into.error ??= from.error;
  if (from.end > into.end) into.end = from.end;
}
