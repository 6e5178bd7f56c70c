/** The process edges a command may use; tests pass their own. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** A subcommand: parses its own argv (after the command name) and returns the exit code. */
export interface Command {
  readonly name: string;
  /** One line for `torchward --help`. */
  readonly summary: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** Exit codes are a contract (README "Exit codes"). */
export const EXIT = Object.freeze({
  OK: 0,
  FINDINGS: 1,
  USAGE: 2,
  NO_INPUT: 3,
  INTERNAL: 4,
});

/** Thrown by argument parsing; main prints it with the usage hint and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Checks a `--format` value against the formats a command writes; UsageError otherwise. */
export function checkFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const list =
    allowed.length === 2
      ? allowed.join(' or ')
      : `${allowed.slice(0, -1).join(', ')} or ${String(allowed.at(-1))}`;
  throw new UsageError(`--format must be ${list}, not '${value}'`);
}
