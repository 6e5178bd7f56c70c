import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './redis-server.js';

// Debian's postgresql (README's package list), started by the tests: initdb into a fresh temporary
// folder, then postgres on a free loopback port with its socket in that folder. Postgres refuses
// to run as root, so as root both run as the `postgres` user the package creates (setpriv).

/** A postgres this test started. */
export interface TestPostgres {
  /** `postgres://torchward@127.0.0.1:PORT/postgres` (trust authentication, loopback only). */
  readonly url: string;
  /** Shuts the server down (fast shutdown), keeping its data; `start` brings it back. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same port and data. */
  start(): Promise<void>;
  /** Shuts the server down and removes its data. */
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<version>/bin. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error('postgresql is not installed (apt-get install postgresql; see README.md)');
  }
  return join(root, versions[0], 'bin');
}

/** argv that runs `command` as an unprivileged user when this process is root. */
function unprivileged(command: string, args: readonly string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, [...args]];
  // setpriv (util-linux) execs the command itself, so signals reach postgres directly.
  return [
    '/usr/bin/setpriv',
    ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args],
  ];
}

/** Starts a fresh postgres on a free loopback port. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'tw-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  if (process.getuid?.() === 0) {
    spawnSync('chown', ['-R', 'postgres:postgres', dir]);
    // mkdtemp makes the folder 0700 for root; the postgres user must enter it.
    chmodSync(dir, 0o755);
  }
  const [initCmd, initArgs] = unprivileged(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'torchward',
    '--auth=trust',
    '--no-instructions',
    '-E',
    'UTF8',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const url = `postgres://torchward@127.0.0.1:${port}/postgres`;
  const [cmd, args] = unprivileged(join(bin, 'postgres'), [
    '-D',
    data,
    '-k',
    sock,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
  ]);
  let child!: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitUp(child, url);
  };
  const halt = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      // SIGINT: postgres's fast shutdown.
      child.kill('SIGINT');
      await exited;
    }
  };
  await launch();
  return {
    url,
    halt,
    start: launch,
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the postgres `child` accepts a connection at `url`. */
async function waitUp(child: ChildProcess, url: string): Promise<void> {
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`postgres exited ${child.exitCode}: ${log}`);
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (i > 300) throw new Error(`postgres did not start: ${String(error)} ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
