import type { Worker } from 'node:worker_threads';
import type { Limits } from '../core/limits.js';
import { makeFinding } from '../rules/define-rule.js';
import malformedRule from '../rules/model/malformed-input.js';
import type { FileResult } from './result.js';
import type { WalkedFile } from './walk.js';
import { startWorker } from '../core/worker-options.js';

/** What a scan worker thread is asked: one file. */
export interface ScanJob {
  readonly id: number;
  readonly file: WalkedFile;
  readonly limits: Limits;
  readonly allowGlobals: readonly string[];
}

/** A scanned file's outcome, as scanWalkedFile returns it. */
export type WalkedOutcome = FileResult | 'skipped' | { unreadable: string };

/**
 * What comes back: `started`, the id of the job the thread has just taken (its clock starts
 * then), and `id` with the outcome of the job it has just finished (no result after a bug) and
 * the internal errors met. A thread that finishes one job and takes the next says both in one
 * message.
 */
export interface ScanJobReply {
  readonly id?: number;
  readonly result?: WalkedOutcome;
  readonly internalErrors?: readonly string[];
  readonly started?: number;
}

/**
 * Time a worker may take past a file's own deadline before it is terminated: the decoders check
 * the deadline themselves and report in time; this only catches one that never returns.
 */
const GRACE_MS = 500;
/** Time a new thread may take to load the scanner and take its first file. */
const STARTUP_MS = 30_000;
/**
 * Jobs given to a thread at a time once it runs: the one it scans and one waiting, so that it
 * starts the next file without a round trip to this thread (which, on a busy machine, often waits
 * for a core). A job still waiting when its thread is dropped goes to the next thread.
 */
const JOBS_PER_THREAD = 2;

/** Options of scanInThreads. */
export interface PoolOptions {
  /**
   * Also scan on the calling thread: small regular files (at most CALLING_THREAD_BYTES, read
   * with one system call) are taken there in walk order while the worker threads start and run,
   * and the calling thread counts as one of `threads` (so one worker fewer starts). A file there
   * has the decoders' own deadline checks and bounded workers, as in an unthreaded scan, but a
   * decoder that never returns is not rescued; larger files and anything that is not a regular
   * file go to the worker threads.
   */
  readonly callingThread?: boolean;
}

/** Largest file scanned on the calling thread (PoolOptions.callingThread). */
export const CALLING_THREAD_BYTES = 256 * 1024;
/**
 * The calling thread hands control back to the event loop (worker replies, timers) at least this
 * often while it scans (ms): each worker has its next file queued, so it rarely waits that long.
 */
const YIELD_MS = 2;

/**
 * Scans `files` on `threads` worker threads, calling `onDone` with each outcome as it arrives.
 * Each thread scans one file at a time, with the next one queued. A thread that runs past a
 * file's time limit (Limits.maxMillisPerFile plus a short grace, counted from when it took the
 * file) is terminated and replaced; that file is reported `invalid` with the
 * model/malformed-input LIMIT_EXCEEDED finding, the file queued behind it goes to the new thread,
 * and the others carry on. With `options.callingThread`, the calling thread scans the small files
 * it takes and `threads - 1` worker threads (at least one) the rest.
 */
export async function scanInThreads(
  files: readonly WalkedFile[],
  threads: number,
  limits: Limits,
  allowGlobals: readonly string[],
  onDone: (
    file: WalkedFile,
    outcome: WalkedOutcome | undefined,
    internalErrors: readonly string[],
  ) => void,
  options: PoolOptions = {},
): Promise<void> {
  let next = 0;
  let ids = 0;
  const script = new URL('./scan-worker.js', import.meta.url);
  // Files that were waiting in a dropped thread: given out again before new ones.
  const retry: WalkedFile[] = [];
  // Files the calling thread took and left to the workers (large, or not a regular file).
  const deferred: WalkedFile[] = [];
  const take = (): WalkedFile | undefined =>
    retry.shift() ?? deferred.shift() ?? (next < files.length ? files[next++] : undefined);
  const callingThread = options.callingThread === true;
  const workerLanes = Math.max(1, Math.min(callingThread ? threads - 1 : threads, files.length));
  /** Worker lanes running: a lane ends (and stops its thread) when it finds nothing to take. */
  let running = 0;
  const lanes: Promise<void>[] = [];
  const lane = (): Promise<void> =>
    new Promise((resolveLane) => {
      let worker: Worker | undefined;
      /** Jobs sent to `worker` and not answered, in the order sent: the first one runs first. */
      let sent: { readonly id: number; readonly file: WalkedFile }[] = [];
      /** Whether the thread has taken a job (then it gets JOBS_PER_THREAD at a time). */
      let busy = false;
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number, why: 'timeout' | 'died'): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          drop(why);
        }, ms);
      };
      // The thread is abandoned: its current job is reported, the ones waiting are given out again.
      const drop = (why: 'timeout' | 'died'): void => {
        clearTimeout(timer);
        stop();
        const [current, ...waiting] = sent;
        sent = [];
        for (const job of waiting) retry.push(job.file);
        if (current !== undefined) onDone(current.file, timedOut(current.file, limits, why), []);
        fill();
      };
      const onDied = (): void => {
        drop('died');
      };
      // Terminates the thread (if any) without hearing from it again.
      const stop = (): void => {
        const stopped = worker;
        worker = undefined;
        busy = false;
        if (stopped === undefined) return;
        stopped.off('message', onMessage);
        stopped.off('error', onDied);
        stopped.off('exit', onDied);
        // An error it raises while being terminated concerns a job already reported.
        stopped.on('error', () => undefined);
        void stopped.terminate();
      };
      const onMessage = (reply: ScanJobReply): void => {
        if (reply.id !== undefined && reply.id === sent[0]?.id) {
          const done = sent.shift();
          clearTimeout(timer);
          if (done !== undefined) onDone(done.file, reply.result, reply.internalErrors ?? []);
        }
        if (reply.started !== undefined && reply.started === sent[0]?.id) {
          busy = true;
          arm(limits.maxMillisPerFile + GRACE_MS, 'timeout');
        }
        fill();
      };
      const fill = (): void => {
        while (sent.length < (busy ? JOBS_PER_THREAD : 1)) {
          const file = take();
          if (file === undefined) break;
          if (worker === undefined) {
            worker = startWorker(script);
            worker.on('message', onMessage);
            worker.on('error', onDied);
            worker.on('exit', onDied);
          }
          const job: ScanJob = { id: ++ids, file, limits, allowGlobals };
          sent.push({ id: job.id, file });
          // A thread that has not taken a job yet (starting up, or idle) must take it in time.
          if (sent.length === 1 && !busy) arm(STARTUP_MS, 'died');
          worker.postMessage(job);
        }
        if (sent.length === 0) {
          clearTimeout(timer);
          stop();
          running--;
          resolveLane();
        }
      };
      fill();
    });
  const startLane = (): void => {
    running++;
    lanes.push(lane());
  };
  for (let i = 0; i < workerLanes; i++) startLane();
  if (callingThread) {
    await scanOnCallingThread(
      () => (next < files.length ? files[next++] : undefined),
      (file) => {
        deferred.push(file);
        // Every lane may have ended while this thread scanned: one starts again for the file.
        if (running < workerLanes) startLane();
      },
      limits,
      allowGlobals,
      onDone,
    );
  }
  // Lanes started while waiting are waited for in the next round.
  for (let waited = 0; waited < lanes.length;) {
    const batch = lanes.slice(waited);
    waited = lanes.length;
    await Promise.all(batch);
  }
}

/**
 * The calling thread's share of a pool (PoolOptions.callingThread): takes files in order and
 * scans each small regular file here; `defer` gets the others, for the worker threads.
 */
async function scanOnCallingThread(
  take: () => WalkedFile | undefined,
  defer: (file: WalkedFile) => void,
  limits: Limits,
  allowGlobals: readonly string[],
  onDone: (
    file: WalkedFile,
    outcome: WalkedOutcome | undefined,
    internalErrors: readonly string[],
  ) => void,
): Promise<void> {
  const { scanSmallWalkedFile } = await import('./scan-file.js');
  let yielded = performance.now();
  for (let file = take(); file !== undefined; file = take()) {
    const internalErrors: string[] = [];
    let outcome: WalkedOutcome | undefined;
    try {
      const scanning = scanSmallWalkedFile(
        file,
        limits,
        allowGlobals,
        internalErrors,
        CALLING_THREAD_BYTES,
      );
      if (scanning === undefined) {
        defer(file);
        continue;
      }
      outcome = await scanning;
    } catch (error) {
      // scanSmallWalkedFile never throws for bad input: this is a bug, as a worker reports it.
      const message = error instanceof Error ? error.message : String(error);
      internalErrors.push(`${file.displayPath}: ${message}`);
    }
    onDone(file, outcome, internalErrors);
    // Worker replies wait for this thread: let them in now and then.
    if (performance.now() - yielded >= YIELD_MS) {
      await new Promise<void>((resolve) => {
        setImmediate(resolve);
      });
      yielded = performance.now();
    }
  }
}

/** The result of a file whose thread ran out of time or died: invalid, never safe. */
function timedOut(file: WalkedFile, limits: Limits, why: 'timeout' | 'died'): FileResult {
  const detail =
    why === 'timeout'
      ? `the time limit of ${limits.maxMillisPerFile / 1000} s for this file ran out`
      : 'the scan thread for this file stopped (out of memory?)';
  const finding = makeFinding(
    malformedRule,
    { uri: file.displayPath, unit: 'byte' },
    {
      messageId: 'malformed',
      data: { code: 'LIMIT_EXCEEDED', detail },
      at: { span: { start: 0, end: 0 } },
    },
  );
  return {
    path: file.displayPath,
    format: 'unknown',
    verdict: finding.verdict ?? 'invalid',
    findings: [finding],
    members: [],
    size: 0,
  };
}
