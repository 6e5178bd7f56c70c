/** Network inside the sandbox: no socket but AF_UNIX, or a private loopback interface. */
export type SandboxNet = 'none' | 'loopback';

/** Resource limits, applied with prlimit(1) inside the sandbox (soft and hard). */
export interface SandboxLimits {
  /** RLIMIT_AS, bytes of address space per process. */
  readonly memoryBytes: number;
  /** RLIMIT_CPU, seconds of CPU time per process (SIGXCPU, then SIGKILL a second later). */
  readonly cpuSeconds: number;
  /** RLIMIT_NPROC, processes and threads of the sandbox's user. */
  readonly processes: number;
  /** RLIMIT_FSIZE, bytes per written file (SIGXFSZ past it). */
  readonly fileSizeBytes: number;
  /** Wall-clock seconds before the whole sandbox is killed. */
  readonly timeoutSeconds: number;
}

/** Defaults: enough for torch to import and load a checkpoint of a few GiB, no more. */
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = Object.freeze({
  memoryBytes: 8 * 1024 ** 3,
  cpuSeconds: 600,
  processes: 256,
  fileSizeBytes: 16 * 1024 ** 3,
  timeoutSeconds: 900,
});

/** What `runSandbox` runs and how. Paths are absolute. */
export interface SandboxOptions {
  /** The command and its arguments; the command is looked up on the sandbox's PATH. */
  readonly command: readonly string[];
  /** Mounted read-only at their own paths. */
  readonly inputs: readonly string[];
  /** The only writable directory of the caller's file system (created when missing). */
  readonly output?: string | undefined;
  readonly net: SandboxNet;
  readonly limits: SandboxLimits;
  /** `NAME` (the caller's value) or `NAME=VALUE`, added to the scrubbed environment. */
  readonly env: readonly string[];
  /** Record network, file and denied-syscall attempts with strace. */
  readonly trace: boolean;
  /** How the report shows the command (default: as given). */
  readonly display?: readonly string[] | undefined;
  /** Skip the sensitive-data check of the inputs (the user takes the policy's risk). */
  readonly allowSensitive: boolean;
}

/** The machine the sandbox runs on; tests and the CLI pass their own. */
export interface SandboxHost {
  readonly cwd: string;
  /** The caller's environment (for HOME, locale and --env NAME). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** bubblewrap's path (TORCHWARD_BWRAP overrides /usr/bin/bwrap). */
  readonly bwrap: string;
  /** strace's path (TORCHWARD_STRACE overrides /usr/bin/strace). */
  readonly strace: string;
}

const SIZE = /^(\d+(?:\.\d+)?)([kmgt]?)(i?b)?$/i;

/** Parses `4G`, `512M`, `1.5GiB`, `1000000` (bytes; K/M/G/T are powers of 1024). Undefined if bad. */
export function parseSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (m === null) return undefined;
  const unit = (m[2] ?? '').toLowerCase();
  const power = unit === '' ? 0 : 'kmgt'.indexOf(unit) + 1;
  const value = Math.floor(Number(m[1]) * 1024 ** power);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
