/**
 * Every bound on hostile input, in one place. Callers may lower any of them.
 * Exceeding a bound throws FormatError('LIMIT_EXCEEDED') in the decoder that hit it.
 */
export interface Limits {
  /** Largest file read whole into memory (pickles, headers); larger files are read by ranges. */
  readonly maxInputBytes: number;
  /** Largest header read at once (safetensors JSON, GGUF metadata, zip central directory). */
  readonly maxHeaderBytes: number;
  /** Most entries in a container (zip/tar members, metadata keys, tensors). */
  readonly maxEntries: number;
  /** Deepest nesting of containers inside containers (zip in tar in gzip …). */
  readonly maxDepth: number;
  /** Largest output of one decompression. */
  readonly maxInflatedBytes: number;
  /** Highest output/input ratio of one decompression (zip bombs). */
  readonly maxInflateRatio: number;
  /** Total bytes inflated while scanning one top-level file. */
  readonly maxTotalInflatedBytes: number;
  /** Most opcodes interpreted in one pickle stream. */
  readonly maxOpcodes: number;
  /** Deepest pickle stack (values plus marks). */
  readonly maxStack: number;
  /** Most memo entries in one pickle. */
  readonly maxMemo: number;
  /** Most alias resolutions in one YAML document (alias bombs). */
  readonly maxYamlAliases: number;
  /** Largest text file parsed (workflows, configs). */
  readonly maxTextBytes: number;
  /** Wall-clock budget for one top-level file, in milliseconds. */
  readonly maxMillisPerFile: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxInputBytes: 512 * 1024 * 1024,
  maxHeaderBytes: 100_000_000,
  maxEntries: 100_000,
  maxDepth: 5,
  maxInflatedBytes: 1024 * 1024 * 1024,
  maxInflateRatio: 1000,
  maxTotalInflatedBytes: 2 * 1024 * 1024 * 1024,
  maxOpcodes: 50_000_000,
  maxStack: 1_000_000,
  maxMemo: 1_000_000,
  maxYamlAliases: 10_000,
  maxTextBytes: 16 * 1024 * 1024,
  maxMillisPerFile: 30_000,
});

/** Returns DEFAULT_LIMITS with `overrides` applied. */
export function makeLimits(overrides: Partial<Limits> = {}): Limits {
  return Object.freeze({ ...DEFAULT_LIMITS, ...overrides });
}
