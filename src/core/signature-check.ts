/**
 * The outcome of checking one model against a signature policy: what `checkModelSignature`
 * (src/provenance/policy.ts) returns, what a caller hands the scan (`ScanOptions.signatures`),
 * and the input of the `provenance/*` rules. It lives in core because provenance sits beside the
 * engine: the caller verifies, the engine and rules only judge the result.
 */
export interface SignatureCheck {
  /** The model (file or folder) that was checked, as the caller named it. */
  readonly model: string;
  readonly ok: boolean;
  readonly signer?: string;
  /** One human-readable line per problem (empty when ok). */
  readonly problems: readonly string[];
  /** `missing`: no signature file; `invalid`: present but not verified; `valid`: verified. */
  readonly status: 'valid' | 'missing' | 'invalid';
  /** The signature file that was (or would have been) read. */
  readonly signaturePath: string;
}
