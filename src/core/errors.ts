/**
 * Stable error codes for malformed input. Codes are API: add new ones, never rename or reuse one.
 */
export type FormatErrorCode =
  | 'TRUNCATED'
  | 'BAD_MAGIC'
  | 'BAD_LENGTH'
  | 'BAD_UTF8'
  | 'BAD_JSON'
  | 'BAD_VALUE'
  | 'BAD_OPCODE'
  | 'BAD_STRUCTURE'
  | 'UNSUPPORTED_VERSION'
  | 'UNSUPPORTED_FEATURE'
  | 'LIMIT_EXCEEDED';

/**
 * Thrown by a format decoder at the first violation; the engine turns it into a finding. It
 * carries no stack trace: it describes the input, not a bug, and is thrown and caught by the
 * thousand (the content sniffer trial-decodes every small member of an archive as a pickle), where
 * capturing the stack cost several times the decode (about 50 µs against 10 µs per member).
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  readonly code: FormatErrorCode;
  /** Byte offset (or character offset for text formats) where decoding stopped. */
  readonly offset: number;
  constructor(code: FormatErrorCode, message: string, offset: number, options?: ErrorOptions) {
    const limit = Error.stackTraceLimit;
    // V8 captures the stack in Error's constructor; a limit of 0 skips that (restored at once).
    if (typeof limit === 'number') Error.stackTraceLimit = 0;
    super(message, options);
    if (typeof limit === 'number') Error.stackTraceLimit = limit;
    this.code = code;
    this.offset = offset;
  }
}

/** Wraps anything a decoder library threw into a FormatError, keeping FormatErrors as they are. */
export function toFormatError(error: unknown, code: FormatErrorCode, offset: number): FormatError {
  if (error instanceof FormatError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FormatError(code, message, offset, { cause: error });
}

/** Throws LIMIT_EXCEEDED when `value` is over `limit`; names the limit in the message. */
export function checkLimit(value: number, limit: number, name: string, offset: number): void {
  if (value > limit) {
    throw new FormatError('LIMIT_EXCEEDED', `${name}: ${value} exceeds the limit ${limit}`, offset);
  }
}
