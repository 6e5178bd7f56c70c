import type { PickleDecodeResult } from './records.js';

/** Where a pickle sits; mirrors the engine's PickleFlavour (src/engine/handlers/pickle-contract.ts). */
export type PickleInputFlavour = 'raw' | 'torch-zip' | 'torch-legacy' | 'torch-tar' | 'npy-object';

/**
 * What the pickle rules judge: the decoded stream plus what the container knows about it. The
 * engine builds it in src/engine/handlers/pickle.ts.
 */
export interface PickleScanInput {
  readonly decoded: PickleDecodeResult;
  readonly flavour: PickleInputFlavour;
  /** Storage keys present in the container and their byte sizes (torch-zip, -tar, -legacy). */
  readonly storages?: ReadonlyMap<string, number>;
  /** User-declared benign globals (`mod.name`); they never lift the gadget list. */
  readonly allowGlobals: readonly string[];
}
