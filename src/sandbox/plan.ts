import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { SandboxError } from './errors.js';
import type { SandboxHost, SandboxLimits, SandboxOptions } from './options.js';
import { isWithin, type SandboxInput } from './paths.js';

/** PATH inside the sandbox (the caller's PATH may name directories under the hidden home). */
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';
/** HOME inside the sandbox: an empty directory on the private /tmp. */
export const SANDBOX_HOME = '/tmp/home';
/** The first program run inside the sandbox (see buildPlan). */
export const LAUNCHER_SHELL = '/bin/bash';
/** The descriptor on which the launcher reports that the sandbox is built. */
export const STARTED_FD = 4;
/** The user a root caller's sandbox runs as (nobody:nogroup on Debian). */
export const SANDBOX_ROOT_UID = 65534;

// Variables that carry no secret and that programs need to behave (locale, time zone, terminal).
const ENV_ALLOWLIST = [
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'LC_NUMERIC',
  'LC_MESSAGES',
  'TZ',
  'TERM',
];

/** The bubblewrap invocation for one run. */
export interface SandboxPlan {
  /** Arguments after the bwrap binary. */
  readonly bwrapArgs: readonly string[];
  /** The command's resolved path and arguments, as run inside (after prlimit). */
  readonly command: readonly string[];
  /** Paths replaced by empty, private file systems (the caller's home among them). */
  readonly hidden: readonly string[];
  /** Names of the variables the command sees. */
  readonly envNames: readonly string[];
  /** The working directory inside. */
  readonly cwd: string;
  /** Set when the caller is root: the uid the command runs as. */
  readonly runAsUid: number | undefined;
}

/**
 * Paths hidden behind empty tmpfs mounts: every home directory (the caller's wherever it is),
 * temporary directories (other programs' sockets and files) and /run (the D-Bus, Docker and
 * systemd sockets a command could otherwise connect to through the read-only root).
 */
export function hiddenPaths(home: string | undefined): string[] {
  const hidden = ['/tmp', '/var/tmp', '/run', '/home', '/root', '/dev/shm'].filter(
    (p) => p === '/tmp' || existsSync(p),
  );
  if (
    home !== undefined &&
    isAbsolute(home) &&
    home !== '/' &&
    existsSync(home) &&
    !hidden.some((h) => isWithin(home, h))
  ) {
    hidden.push(home);
  }
  return hidden;
}

/**
 * Finds the command as the sandbox will: a name without '/' on SANDBOX_PATH, a path relative to
 * `cwd` otherwise. It must be visible inside (not under a hidden path unless under an input).
 * Throws SandboxError COMMAND_NOT_FOUND or NOT_EXECUTABLE.
 */
export function resolveCommand(
  name: string,
  cwd: string,
  hidden: readonly string[],
  inputs: readonly SandboxInput[],
): string {
  const candidates = name.includes('/')
    ? [resolve(cwd, name)]
    : SANDBOX_PATH.split(':').map((d) => join(d, name));
  const found = candidates.find((c) => {
    try {
      return statSync(c).isFile();
    } catch {
      return false;
    }
  });
  if (found === undefined) {
    throw new SandboxError(
      'COMMAND_NOT_FOUND',
      name.includes('/')
        ? `command ${name} does not exist`
        : `command ${name} is not on the sandbox's PATH (${SANDBOX_PATH}); give its full path`,
    );
  }
  const visible =
    !hidden.some((h) => isWithin(found, h)) || inputs.some((i) => isWithin(found, i.real));
  if (!visible) {
    throw new SandboxError(
      'COMMAND_NOT_FOUND',
      `command ${found} is under a path the sandbox hides; pass it (or its directory) with --input`,
    );
  }
  try {
    accessSync(found, constants.X_OK);
  } catch {
    throw new SandboxError('NOT_EXECUTABLE', `command ${found} is not executable`);
  }
  return found;
}

/** prlimit(1) arguments for the limits (soft = hard, except CPU: SIGXCPU a second before SIGKILL). */
export function prlimitArgs(limits: SandboxLimits): string[] {
  return [
    `--as=${limits.memoryBytes}`,
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileSizeBytes}`,
    '--core=0',
  ];
}

/**
 * Builds the bubblewrap arguments: read-only root, private /dev, /proc and tmpfs over every
 * hidden path, the inputs read-only and the output writable at their own paths, new user (unless
 * root), PID, IPC, UTS, network and cgroup namespaces, no capabilities, a new session, death with
 * the parent, a scrubbed environment, the seccomp program on `seccompFd`, and prlimit (and, for a
 * root caller, setpriv down to uid 65534, since root is exempt from RLIMIT_NPROC and owns the
 * files of the read-only root) in front of the command.
 */
export function buildPlan(
  options: SandboxOptions,
  inputs: readonly SandboxInput[],
  output: string | undefined,
  host: SandboxHost,
  isRoot: boolean,
  seccompFd: number,
): SandboxPlan {
  const home = host.env.HOME;
  const hidden = hiddenPaths(home);
  const [name, ...rest] = options.command;
  if (name === undefined || name === '') {
    throw new SandboxError('COMMAND_NOT_FOUND', 'no command given');
  }
  const exe = resolveCommand(name, host.cwd, hidden, inputs);
  const args: string[] = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  for (const path of hidden) args.push('--perms', '1777', '--tmpfs', path);
  args.push('--perms', '0777', '--dir', SANDBOX_HOME);
  // Mount points under a hidden path are created by bubblewrap inside the tmpfs; create their
  // parents first as 0755 so a command running as another uid can still reach the mounts.
  const mounts = [
    ...inputs.flatMap((i) => [i.real, i.given]),
    ...(output === undefined ? [] : [output]),
  ];
  const parents = new Set<string>();
  for (const mount of mounts) {
    const root = hidden.find((h) => isWithin(mount, h) && mount !== h);
    if (root === undefined) continue;
    for (let dir = dirname(mount); dir !== root && isWithin(dir, root); dir = dirname(dir)) {
      parents.add(dir);
    }
  }
  for (const dir of [...parents].sort((a, b) => a.length - b.length)) {
    args.push('--perms', '0755', '--dir', dir);
  }
  for (const input of inputs) {
    args.push('--ro-bind', input.real, input.real);
    if (input.given !== input.real) args.push('--ro-bind', input.real, input.given);
  }
  if (output !== undefined) args.push('--bind', output, output);
  const cwdVisible =
    (!hidden.some((h) => isWithin(host.cwd, h)) ||
      inputs.some((i) => i.kind === 'directory' && isWithin(host.cwd, i.real)) ||
      (output !== undefined && isWithin(host.cwd, output))) &&
    existsSync(host.cwd);
  const cwd = cwdVisible ? host.cwd : SANDBOX_HOME;
  args.push('--chdir', cwd);
  if (!isRoot) args.push('--unshare-user');
  args.push('--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts');
  args.push('--unshare-cgroup-try', '--hostname', 'torchward-sandbox');
  args.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  // setpriv needs these three for a moment to become uid 65534 and empty its bounding set.
  if (isRoot)
    args.push('--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP');
  const env = new Map<string, string>([
    ['PATH', SANDBOX_PATH],
    ['HOME', SANDBOX_HOME],
    ['TMPDIR', '/tmp'],
  ]);
  for (const key of ENV_ALLOWLIST) {
    const value = host.env[key];
    if (value !== undefined) env.set(key, value);
  }
  for (const entry of options.env) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    else {
      const value = host.env[entry];
      if (value !== undefined) env.set(entry, value);
    }
  }
  args.push('--clearenv');
  for (const [key, value] of [...env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    args.push('--setenv', key, value);
  }
  args.push('--seccomp', String(seccompFd), '--');
  // The first program inside writes one byte to STARTED_FD, then closes every descriptor above
  // stderr (the started pipe, and any the caller leaked to torchward without close-on-exec) before
  // it execs the rest: torchward then knows the sandbox was built (a failure before this is
  // bubblewrap's, not the command's), and the command holds no descriptor from outside. bash,
  // not dash: dash cannot name descriptors above 9.
  args.push(
    LAUNCHER_SHELL,
    '-c',
    `printf x >&${STARTED_FD}; for fd in /proc/self/fd/*; do fd=\${fd##*/}; ` +
      '[ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done; exec "$@"',
    'launcher',
  );
  if (isRoot) {
    args.push(
      '/usr/bin/setpriv',
      `--reuid=${SANDBOX_ROOT_UID}`,
      `--regid=${SANDBOX_ROOT_UID}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
    );
  }
  args.push('/usr/bin/prlimit', ...prlimitArgs(options.limits), '--', exe, ...rest);
  return {
    bwrapArgs: args,
    command: [exe, ...rest],
    hidden,
    envNames: [...env.keys()].sort(),
    cwd,
    runAsUid: isRoot ? SANDBOX_ROOT_UID : undefined,
  };
}
