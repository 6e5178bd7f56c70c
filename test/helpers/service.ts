import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/server/app.js';
import { ContentStore } from '../../src/server/store.js';

/** The built CLI (npm run build, which `npm test` runs first). */
export const CLI = resolve('dist/cli/main.js');
/** The built web bundle. */
export const WEB_ROOT = resolve('dist/web');

/** The API on a loopback port, with its store. */
export interface TestService {
  readonly app: FastifyInstance;
  readonly base: string;
  readonly store: ContentStore;
  close(): Promise<void>;
}

/** Builds the API around `queue` (made from the store) and listens on 127.0.0.1:0. */
export async function startService(
  makeQueue: (store: ContentStore) => AppOptions['queue'],
  options: Partial<Omit<AppOptions, 'store' | 'queue'>> = {},
): Promise<TestService> {
  const store = new ContentStore(mkdtempSync(join(tmpdir(), 'tw-store-')));
  await store.init();
  const queue = makeQueue(store);
  const app = await buildApp({
    store,
    queue,
    maxUploadBytes: 16 * 2 ** 20,
    webRoot: WEB_ROOT,
    version: 'test',
    noAuth: true,
    ...options,
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    base,
    store,
    close: async () => {
      await app.close();
      await queue.close();
    },
  };
}

/** Polls GET /v1/scans/{id} until it is done or failed. */
export async function waitForScan(
  base: string,
  id: string,
  timeoutMs = 60_000,
): Promise<{ status: string; verdict?: string; report?: unknown; error?: string }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${base}/v1/scans/${id}`);
    const body = (await res.json()) as { status: string; verdict?: string; report?: unknown };
    if (body.status === 'done' || body.status === 'failed') return body;
    if (Date.now() > end) throw new Error(`scan ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Uploads bytes as the multipart part "file". */
export async function upload(
  base: string,
  bytes: Uint8Array,
  name = 'model.bin',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { id?: string; status?: string; error?: string } }> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await fetch(`${base}/v1/scans`, { method: 'POST', body: form, headers });
  return { status: res.status, body: (await res.json()) as { id?: string; error?: string } };
}

/** Starts `torchward <args>` as a child process and waits for a stdout line matching `ready`. */
export async function spawnCli(
  args: readonly string[],
  ready: RegExp,
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; line: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolveLine, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`torchward ${args[0] ?? ''} did not start: ${out}${err}`));
    }, 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.split('\n').find((l) => ready.test(l));
      if (m !== undefined) {
        clearTimeout(timer);
        resolveLine(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`torchward ${args[0] ?? ''} exited ${code}: ${out}${err}`));
    });
  });
  return { child, line, output: () => out + err };
}

/** The largest resident set sizes a sampler saw, in bytes. */
export interface MemoryPeak {
  /** Largest VmRSS sampled. */
  readonly rss: number;
  /** VmHWM at the end: the kernel's own peak resident set size of the process. */
  readonly hwm: number;
  readonly samples: number;
}

/** Reads VmRSS and VmHWM (bytes) of a process from /proc/PID/status. */
export function procMemory(pid: number): { rss: number; hwm: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Samples a process's memory every `everyMs` until `stop`. */
export function sampleMemory(pid: number, everyMs = 100): { stop(): MemoryPeak } {
  let rss = 0;
  let hwm = 0;
  let samples = 0;
  const take = (): void => {
    const m = procMemory(pid);
    if (m === undefined) return;
    samples++;
    rss = Math.max(rss, m.rss);
    hwm = Math.max(hwm, m.hwm);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { rss, hwm, samples };
    },
  };
}

/** The scheduler state letter of a process (/proc/PID/stat), undefined once it is gone. */
function procState(pid: number): string | undefined {
  try {
    // The command name (in parentheses) may hold spaces: the state follows its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** What killMidJob needs to see a job held in Redis and its result. */
export interface HeldJobs {
  /** The artifact ids of the queue's active jobs (BullMQ's `active` list). */
  active(): Promise<string[]>;
  /** True once the result of `id` exists. */
  hasResult(id: string): Promise<boolean>;
}

/**
 * SIGKILLs `victim` (the only worker taking jobs) at a moment Redis shows it holding an active job
 * whose result does not exist yet, and returns that job's id. The victim is looked at only while
 * frozen (SIGSTOP, waited for in /proc): it cannot finish the job between the check and the
 * kill, nor race through its backlog between two looks however loaded the machine is, since it
 * runs only in the short windows between them (SIGCONT). The victim is gone (reaped) when this
 * returns. Queue its jobs before it starts, so it has a backlog to be caught in.
 */
export async function killMidJob(
  victim: ChildProcess,
  jobs: HeldJobs,
  deadlineMs = 120_000,
): Promise<string> {
  const pid = victim.pid;
  if (pid === undefined) throw new Error('the worker has no pid');
  const exited = new Promise((r) => victim.once('exit', r));
  const until = Date.now() + deadlineMs;
  let looks = 0;
  try {
    while (Date.now() < until) {
      if (victim.exitCode !== null || victim.signalCode !== null) {
        throw new Error('the worker exited before it could be killed mid-job');
      }
      victim.kill('SIGSTOP');
      while (procState(pid) !== 'T' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 2));
      }
      looks++;
      for (const id of await jobs.active()) {
        if (!(await jobs.hasResult(id))) {
          victim.kill('SIGKILL');
          await exited;
          return id;
        }
      }
      victim.kill('SIGCONT');
      await new Promise((r) => setTimeout(r, 20));
    }
  } catch (error) {
    victim.kill('SIGKILL');
    throw error;
  }
  victim.kill('SIGKILL');
  await exited;
  throw new Error(`the worker was never seen holding an unfinished job (${looks} looks)`);
}

/** The JSON of /healthz. */
export interface HealthBody {
  readonly status: string;
  readonly queue: boolean;
  readonly store: { kind: string; reachable: boolean; error?: string };
  readonly reason?: string;
}

/** Polls /healthz until it answers `status` (its answers are cached about a second). */
export async function waitForHealth(
  base: string,
  status: number,
  deadlineMs = 30_000,
): Promise<HealthBody> {
  const until = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < until) {
    const res = await fetch(`${base}/healthz`);
    last = `${res.status} ${await res.text()}`;
    if (res.status === status) return JSON.parse(last.slice(4)) as HealthBody;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/healthz never answered ${status} in ${deadlineMs} ms; last: ${last}`);
}
