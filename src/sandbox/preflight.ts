import { spawnSync } from 'node:child_process';
import { accessSync, constants, readlinkSync } from 'node:fs';
import { SandboxError } from './errors.js';

const NAMESPACES = ['mnt', 'pid', 'net', 'ipc', 'uts'] as const;

// Where the kernel or the distribution switches unprivileged namespaces off; named in the refusal
// so the user knows what to ask an administrator for.
const NAMESPACE_HINT =
  'bubblewrap could not create the namespaces the sandbox needs. Unprivileged user namespaces ' +
  'may be disabled (sysctl kernel.unprivileged_userns_clone=0 or user.max_user_namespaces=0, ' +
  'or an AppArmor policy such as Ubuntu 24.04 kernel.apparmor_restrict_unprivileged_userns=1), ' +
  'or a container runtime denies them (its seccomp profile blocks unshare/clone with namespace flags).';

/**
 * Proves bubblewrap works here before anything untrusted runs: the binary exists and is
 * executable, and a probe run inside the same namespace setup shows mount, PID, network, IPC and
 * UTS namespaces that differ from this process's own (so a `bwrap` that silently ran the command
 * in place would be caught). Throws SandboxError UNAVAILABLE with the reason; never falls back.
 */
export function checkBubblewrap(bwrap: string, isRoot: boolean): void {
  try {
    accessSync(bwrap, constants.X_OK);
  } catch {
    throw new SandboxError(
      'UNAVAILABLE',
      `bubblewrap is not installed (${bwrap} is missing or not executable); install Debian's bubblewrap package. torchward never runs the command without the sandbox.`,
    );
  }
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  if (!isRoot) args.push('--unshare-user');
  args.push('--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts');
  args.push('--die-with-parent', '--cap-drop', 'ALL', '--', '/usr/bin/readlink');
  args.push(...NAMESPACES.map((ns) => `/proc/self/ns/${ns}`));
  const probe = spawnSync(bwrap, args, {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024,
  });
  const stderr = (probe.stderr || '').trim();
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? `exit status ${String(probe.status ?? probe.signal)}`;
    throw new SandboxError(
      'UNAVAILABLE',
      `${bwrap} failed a probe run (${why}${stderr === '' ? '' : `: ${stderr}`}). ${NAMESPACE_HINT} torchward never runs the command without the sandbox.`,
    );
  }
  const seen = probe.stdout.trim().split('\n');
  for (const [i, ns] of NAMESPACES.entries()) {
    const own = readlinkSync(`/proc/self/ns/${ns}`);
    if (seen[i] === undefined || seen[i] === own) {
      throw new SandboxError(
        'UNAVAILABLE',
        `${bwrap} ran its probe without a new ${ns} namespace (saw ${seen[i] ?? 'nothing'}); it is not a working bubblewrap. torchward never runs the command without the sandbox.`,
      );
    }
  }
}

/** Checks that strace can be run for --trace; throws SandboxError UNAVAILABLE otherwise. */
export function checkStrace(strace: string): void {
  try {
    accessSync(strace, constants.X_OK);
  } catch {
    throw new SandboxError(
      'UNAVAILABLE',
      `--trace needs strace (${strace} is missing or not executable); install Debian's strace package, or run without --trace.`,
    );
  }
}
