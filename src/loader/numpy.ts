import { MemorySource, SliceSource, type ByteSource } from '../core/byte-source.js';
import type { Limits } from '../core/limits.js';
import { readNpyHeader, type NpyHeader } from '../formats/npy/index.js';
import {
  locateZipMember,
  openZipMember,
  type ZipArchive,
  type ZipEntry,
} from '../formats/zip/index.js';
import { dtypeOfNumpyDescr } from './dtype.js';
import { LoadError } from './errors.js';
import type { WalkResult } from './pickle-walk.js';
import type { PositionedFile } from './positioned-file.js';
import { checkTensorGeometry } from './storage-bounds.js';
import type { LoadedTensor } from './tensor.js';

/**
 * A compressed .npz member is inflated into memory (numpy offers no random access into it), so
 * members larger than this are refused to keep the loader's memory bounded.
 */
const MAX_DEFLATED_MEMBER = 64 * 1024 * 1024;

/**
 * Loads one .npy array (model-formats §4) as a single tensor named `name` (the empty name for a
 * bare .npy file). Only numeric arrays without objects: '<'/'>'/'|' type strings of bool, int,
 * uint, float and complex kinds; big-endian data is byte-swapped, Fortran order becomes
 * reversed strides (copied out in C order). `base` is where `source` starts in `file` when the
 * array is a stored member of a zip. `kept` is the scan's decode of this very header (it is
 * then not read again). Throws LoadError.
 */
export async function loadNpy(
  source: ByteSource,
  base: { readonly source: ByteSource; readonly start: number },
  name: string,
  kept?: NpyHeader,
): Promise<LoadedTensor> {
  const header = kept ?? (await readNpyHeader(source));
  const what = name === '' ? 'the array' : `array '${name}'`;
  if (header.hasObject || header.descr.kind !== 'scalar' || header.dataBytes === undefined) {
    throw new LoadError('UNSUPPORTED', `${what} holds objects or a structured dtype`);
  }
  const parsed = dtypeOfNumpyDescr(header.descr.typestr);
  if (parsed === undefined) {
    throw new LoadError(
      'UNSUPPORTED',
      `${what} has dtype ${header.descr.typestr}, which the loader does not read`,
    );
  }
  const { dtype, bigEndian } = parsed;
  const shape = header.shape;
  const strides = new Array<number>(shape.length);
  let acc = 1;
  const order = shape.map((_, i) => i);
  if (!header.fortranOrder) order.reverse();
  for (const i of order) {
    strides[i] = acc;
    acc *= shape[i] ?? 1;
  }
  const storage = {
    key: name === '' ? 'data' : name,
    source: base.source,
    start: base.start + header.dataOffset,
    nbytes: header.dataBytes,
    bigEndian,
  };
  const geometry = checkTensorGeometry(name, shape, strides, 0, dtype.itemsize, header.dataBytes);
  return { name, dtype, storage, parameter: false, ...geometry };
}

/** A bare .npy file; `kept` is the scan's decode of its header. */
export async function loadNpyFile(file: PositionedFile, kept?: NpyHeader): Promise<WalkResult> {
  return { tensors: [await loadNpy(file, { source: file, start: 0 }, '', kept)], metadata: [] };
}

/** True when every member of the zip at `file` is an .npy array (an .npz archive). */
export function isNpzListing(entries: readonly ZipEntry[]): boolean {
  return entries.length > 0 && entries.every((e) => e.name.endsWith('.npy') && !e.isDirectory);
}

/**
 * Loads an .npz archive: each `<name>.npy` member becomes tensor `<name>`. Stored members are
 * read in place; deflated ones (savez_compressed) are inflated within limits and up to 64 MiB.
 * `archive` is the file's parsed central directory; `kept` the scan's decodes of the members'
 * headers by member name (a member without one is read here).
 */
export async function loadNpz(
  file: PositionedFile,
  archive: ZipArchive,
  limits: Limits,
  kept: ReadonlyMap<string, NpyHeader> = new Map(),
): Promise<WalkResult> {
  const names = new Set<string>();
  const tensors: LoadedTensor[] = [];
  const budget = { inflatedBytes: 0 };
  for (const entry of archive.entries) {
    const name = entry.name.slice(0, -'.npy'.length);
    if (names.has(name))
      throw new LoadError('INVALID_STORAGE', `member ${entry.name} appears twice`);
    names.add(name);
    const located = await locateZipMember(file, entry);
    if (entry.method === 0) {
      const source = new SliceSource(file, located.dataOffset, entry.compressedSize);
      tensors.push(
        await loadNpy(
          source,
          { source: file, start: located.dataOffset },
          name,
          kept.get(entry.name),
        ),
      );
    } else {
      if (entry.uncompressedSize > MAX_DEFLATED_MEMBER) {
        throw new LoadError(
          'UNSUPPORTED',
          `compressed member ${entry.name} of ${entry.uncompressedSize} bytes is too large to inflate`,
        );
      }
      const opened = await openZipMember(file, located, limits, budget);
      const bytes = await opened.source.read(0, opened.source.size);
      const memory = new MemorySource(bytes);
      tensors.push(await loadNpy(memory, { source: memory, start: 0 }, name, kept.get(entry.name)));
    }
  }
  return { tensors, metadata: [] };
}
