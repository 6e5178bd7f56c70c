import type { Finding, Verdict } from '../core/finding.js';

/**
 * Why a checkpoint was not loaded. Codes are API (tests assert them):
 * - NOT_SAFE: the scanner's verdict is not `safe`; `verdict` and `findings` say why.
 * - INVALID_STORAGE: a tensor's offset, sizes or strides reach outside its storage, or the
 *   storage bytes are missing or of the wrong size (the CVE-2026-24747 class).
 * - UNSUPPORTED: valid input the loader will not handle (a dtype safetensors cannot hold, a
 *   structure that is not a tensor collection, big-endian legacy data …).
 * - CHANGED: the file changed between the scan and the load.
 * - UNREADABLE: the file could not be opened or read.
 * - INVALID_LAYOUT: a model folder whose files disagree (an index naming a missing shard or a
 *   tensor twice, a tensor in two shards, weights in both pickle and safetensors form).
 */
export type LoadErrorCode =
  'NOT_SAFE' | 'INVALID_STORAGE' | 'UNSUPPORTED' | 'CHANGED' | 'UNREADABLE' | 'INVALID_LAYOUT';

/** A refusal or failure of the loader or the converter; never a bug. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
  constructor(
    readonly code: LoadErrorCode,
    message: string,
    /** The scanner's verdict and findings, for NOT_SAFE. */
    readonly verdict?: Verdict | null,
    readonly findings: readonly Finding[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
