import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { spawnCli } from './service.js';

// What the Redis-queue and Postgres-results tests share: their artifacts and their workers.

/** A torch zip whose pickle calls a dangerous global (the scan says malicious). */
export const HOSTILE = readFileSync('test/fixtures/zip/evil/torch-evil.pt');
/** A plain state dict written by torch (the scan says safe). */
export const BENIGN = readFileSync('test/fixtures/zip/ok/torch-state-dict.pt');

/** The artifact id the service gives `bytes`: its SHA-256 in hex. */
export const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A valid protocol-2 pickle of one str of `size` bytes (over 1 MiB: scanned on a thread). */
export function bigPickle(tag: string, size: number): Buffer {
  const body = Buffer.alloc(size, 'a');
  body.write(tag);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(size);
  return Buffer.concat([Buffer.from([0x80, 0x02, 0x58]), len, body, Buffer.from('.')]);
}

/**
 * Real `torchward worker` processes on one queue and store, each started with a one-second job
 * lock (so a killed worker's job comes back quickly) and waited for until it says it is ready.
 */
export class WorkerPool {
  /** The running workers, oldest first; `splice(0)` them to kill a generation. */
  readonly children: ChildProcess[] = [];

  /** Starts one worker with `extra` arguments; resolves with it and its ready line. */
  async start(
    redis: string,
    store: string,
    extra: readonly string[] = [],
  ): Promise<{ child: ChildProcess; line: string }> {
    const started = await spawnCli(
      ['worker', '--redis', redis, '--store', store, ...extra, '--lock-seconds', '1'],
      /ready/,
    );
    this.children.push(started.child);
    return started;
  }

  /** SIGKILLs every worker started and not yet killed. */
  killAll(): void {
    for (const child of this.children.splice(0)) child.kill('SIGKILL');
  }
}
