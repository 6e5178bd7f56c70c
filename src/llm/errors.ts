/** Stable codes for everything that can go wrong talking to a model endpoint. */
export type LlmErrorCode =
  | 'http-error'
  | 'timeout'
  | 'tls-error'
  | 'budget-exhausted'
  | 'bad-reply'
  | 'no-logprobs'
  | 'missing-tokens'
  | 'non-finite-logprob'
  | 'command-failed';

/** An error from a model endpoint with a stable code for reports and exit codes. */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  constructor(
    readonly code: LlmErrorCode,
    message: string,
    /** False when retrying the same request cannot help. */
    readonly retryable = false,
  ) {
    super(message);
  }
}
