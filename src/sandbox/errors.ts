/**
 * Why the sandbox refused to run a command. Codes are API (tests assert them):
 * - BAD_INPUT: an input is missing, a socket, FIFO or device, or holds a symlink out of itself;
 *   the output is inside an input (or holds one, or would expose the home directory).
 * - COMMAND_NOT_FOUND: the command is not on the sandbox's PATH or not visible inside it.
 * - NOT_EXECUTABLE: the command exists but cannot be executed.
 * - UNAVAILABLE: bubblewrap (or strace for --trace) is missing, fails, or cannot create the
 *   namespaces; or the architecture has no seccomp table. The command never runs unsandboxed.
 * - SENSITIVE_INPUT: an input holds a private key or a known token format.
 */
export type SandboxErrorCode =
  'BAD_INPUT' | 'COMMAND_NOT_FOUND' | 'NOT_EXECUTABLE' | 'UNAVAILABLE' | 'SENSITIVE_INPUT';

/** A refusal before anything ran; `message` says what to do about it. */
export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
  ) {
    super(message);
  }
}
