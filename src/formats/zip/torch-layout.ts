import type { ZipEntry } from './central-directory.js';

/** What a zip archive is, by its records (reference §3.1, §3.2, §4). */
export type ZipLayout = 'torchscript' | 'torch-zip' | 'npz' | 'zip';

/** The torch view of a zip: the model `torch/*` rules judge. */
export interface TorchZipModel {
  readonly layout: ZipLayout;
  /** `<dir>/data.pkl` records, in directory order. */
  readonly dataPickles: readonly ZipEntry[];
  /** Records that make it TorchScript: `<dir>/constants.pkl`, `<dir>/code/…`, `bytecode.pkl`. */
  readonly codeRecords: readonly ZipEntry[];
  /** Per archive directory: storage key → declared byte size of `<dir>/data/<key>`. */
  readonly storages: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

const DATA_PKL = /^([^/]+)\/data\.pkl$/;
const CONSTANTS_PKL = /^[^/]+\/constants\.pkl$/;
const CODE = /^[^/]+\/code\//;
const BYTECODE_PKL = /^[^/]+\/bytecode\.pkl$/;
const STORAGE = /^([^/]+)\/data\/([^/]+)$/;

/**
 * Classifies a zip by its central-directory names as torch does: a `<dir>/constants.pkl` means
 * TorchScript (CVE-2025-32434: torch ≤ 2.5.1 hands it to torch.jit.load even with
 * weights_only=True), a `<dir>/data.pkl` a torch checkpoint, only `*.npy` members an npz.
 */
export function classifyZip(entries: readonly ZipEntry[]): TorchZipModel {
  const dataPickles = entries.filter((e) => DATA_PKL.test(e.name));
  const codeRecords = entries.filter(
    (e) => CONSTANTS_PKL.test(e.name) || CODE.test(e.name) || BYTECODE_PKL.test(e.name),
  );
  const storages = new Map<string, Map<string, number>>();
  for (const e of entries) {
    const m = STORAGE.exec(e.name);
    if (m === null) continue;
    const [, dir = '', key = ''] = m;
    const map = storages.get(dir) ?? new Map<string, number>();
    map.set(key, e.uncompressedSize);
    storages.set(dir, map);
  }
  const files = entries.filter((e) => !e.isDirectory);
  let layout: ZipLayout = 'zip';
  if (entries.some((e) => CONSTANTS_PKL.test(e.name))) layout = 'torchscript';
  else if (dataPickles.length > 0) layout = 'torch-zip';
  else if (files.length > 0 && files.every((e) => e.name.endsWith('.npy'))) layout = 'npz';
  return { layout, dataPickles, codeRecords, storages };
}

/** True when `name` is a raw storage blob `<dir>/data/<key>` of a torch archive directory. */
export function isStorageRecord(name: string, dirs: ReadonlySet<string>): boolean {
  const m = STORAGE.exec(name);
  return m !== null && dirs.has(m[1] ?? '');
}

/** The archive directory of a `<dir>/data.pkl` record. */
export function archiveDir(name: string): string {
  return DATA_PKL.exec(name)?.[1] ?? '';
}
