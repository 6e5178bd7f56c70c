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

/**
 * The LIMIT_EXCEEDED error for `value` over `limit` (numbers or bigints, compared exactly), or
 * undefined when it is within. The message names the limit (`name: value exceeds the limit
 * limit`) unless `message` gives the site's own wording (a string, or a function called only on
 * failure when the wording needs the values). For sites that record the error and carry on.
 */
export function limitError(
  value: number | bigint,
  limit: number | bigint,
  name: string,
  offset: number,
  message?: string | (() => string),
): FormatError | undefined {
  if (value <= limit) return undefined;
  return new FormatError('LIMIT_EXCEEDED', limitMessage(value, limit, name, message), offset);
}

/**
 * Throws LIMIT_EXCEEDED when `value` is over `limit` (see limitError for `message`): every bound
 * on input goes through here, so the comparison and the code are the same everywhere.
 */
export function checkLimit(
  value: number | bigint,
  limit: number | bigint,
  name: string,
  offset: number,
  message?: string | (() => string),
): void {
  if (value > limit) {
    throw new FormatError('LIMIT_EXCEEDED', limitMessage(value, limit, name, message), offset);
  }
}

function limitMessage(
  value: number | bigint,
  limit: number | bigint,
  name: string,
  message: string | (() => string) | undefined,
): string {
  if (message === undefined) return `${name}: ${value} exceeds the limit ${limit}`;
  return typeof message === 'string' ? message : message();
}
