import { spawnSync } from 'node:child_process';

/**
 * Runs a shell script in a new user and network namespace with only its loopback interface up:
 * servers that bind every interface (a torch 1.13 TCPStore, torchrun's rendezvous store) are then
 * reachable from nothing but the script itself. Fails the test when namespaces are not available.
 */
export function runInNetns(
  script: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 240_000,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('unshare', ['-rn', 'sh', '-c', `ip link set lo up && ${script}`], {
    encoding: 'utf8',
    env,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Quotes `text` for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
