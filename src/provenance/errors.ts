/** Stable codes for problems with the model on disk (not with a signature's format). */
export type ProvenanceErrorCode =
  | 'NO_INPUT'
  | 'SYMLINK'
  | 'SPECIAL_FILE'
  | 'OUTSIDE_MODEL'
  | 'EMPTY_MODEL'
  | 'READ_FAILED'
  | 'UNSUPPORTED_HASH'
  | 'BAD_KEY'
  | 'LIMIT_EXCEEDED'
  | 'BAD_IGNORE_PATH';

/** Thrown by hashing, signing and verification for problems of the input on disk or the keys. */
export class ProvenanceError extends Error {
  override readonly name = 'ProvenanceError';
  constructor(
    readonly code: ProvenanceErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
