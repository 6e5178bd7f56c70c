import type { FormatId } from './sniff.js';

/**
 * The one table of formats: for every format `sniffFormat` names, whether the engine scans it (a
 * handler in src/engine/handlers/index.ts) and whether the weights-only loader opens it
 * (src/loader/open-checkpoint.ts). Both dispatch tables are typed from this one, so a format
 * marked here without its handler or loader does not compile, and neither can hold a format this
 * table does not give it. The loader opens only formats the engine scans: it reads a file only
 * after the scan called it safe.
 */
export const FORMAT_TABLE = {
  zip: { scan: true, load: true },
  tar: { scan: true, load: true },
  gzip: { scan: true, load: false },
  bz2: { scan: true, load: false },
  xz: { scan: true, load: false },
  lzma: { scan: true, load: false },
  zlib: { scan: true, load: false },
  lz4: { scan: true, load: false },
  // Sniffed so it is named in reports; no handler yet, so never judged safe.
  zstd: { scan: false, load: false },
  '7z': { scan: true, load: false },
  npy: { scan: true, load: true },
  safetensors: { scan: true, load: true },
  gguf: { scan: true, load: false },
  hdf5: { scan: true, load: false },
  onnx: { scan: true, load: false },
  'tf-savedmodel': { scan: true, load: false },
  'joblib-zf': { scan: true, load: false },
  pickle: { scan: true, load: true },
  unknown: { scan: false, load: false },
} as const satisfies Record<FormatId, { readonly scan: boolean; readonly load: boolean }>;

/** The formats the engine has a handler for. */
export type ScannedFormat = {
  [K in FormatId]: (typeof FORMAT_TABLE)[K]['scan'] extends true ? K : never;
}[FormatId];

/** The formats the weights-only loader opens (each also scanned). */
export type LoadedFormat = {
  [K in FormatId]: (typeof FORMAT_TABLE)[K]['load'] extends true ? K : never;
}[FormatId];
