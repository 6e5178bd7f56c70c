import type { Worker } from 'node:worker_threads';
import type { Limits } from '../core/limits.js';
import { makeFinding } from '../rules/define-rule.js';
import malformedRule from '../rules/model/malformed-input.js';
import type { FileResult } from './result.js';
import type { WalkedFile } from './walk.js';
import type { WalkedOutcome } from './scan-file.js';
import { startWorker } from '../core/worker-options.js';

/** What a scan worker thread is asked: one file. */
export interface ScanJob {
  readonly id: number;
  readonly file: WalkedFile;
  readonly limits: Limits;
  readonly allowGlobals: readonly string[];
}

// Defined beside scanWalkedFile (this module loads scan-file.js for its calling thread).
export type { WalkedOutcome } from './scan-file.js';

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
  /** The thread has loaded the scanner and waits for files (its first message). */
  readonly ready?: boolean;
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
// With the calling thread scanning, a worker is given files only once it says it is ready: no
// file waits for a thread to boot, and a batch the calling thread finishes first never waits for
// one at all.

/** Largest file scanned on the calling thread (PoolOptions.callingThread). */
export const CALLING_THREAD_BYTES = 256 * 1024;
/**
 * The calling thread hands control back to the event loop (worker replies, timers) at least this
 * often while it scans (ms): each worker has its next file queued, so it rarely waits that long.
 */
const YIELD_MS = 2;
/**
 * About what a worker thread costs before it scans its first file (ms: Node's worker bootstrap,
 * about 30 ms of CPU here, and loading the scanner). With the calling thread scanning, workers
 * start once its files left would take it longer than this at its pace so far, so a batch it
 * finishes sooner alone pays for no thread.
 */
const WORKER_START_MS = 50;
/**
 * From this many files the workers start at once, whatever the pace: a file that holds the calling
 * thread until its deadline (the decoders check it between steps, so nothing else runs there
 * meanwhile) then holds up no other file, the workers taking the rest from the same queue.
 */
const WORKERS_AT_ONCE_FILES = 64;

/** Called once per file when its scan ends; outcome undefined: an internal error ended it. */
export type OnFileDone = (
  file: WalkedFile,
  outcome: WalkedOutcome | undefined,
  internalErrors: readonly string[],
) => void;

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
  onDone: OnFileDone,
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
  const hasWork = (): boolean => retry.length > 0 || deferred.length > 0 || next < files.length;
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
      /** Whether the thread has said it is ready (ScanJobReply.ready). */
      let ready = false;
      /**
       * Whether a new thread gets its first file before it is ready: always without the calling
       * thread; with it, after a thread died before taking any (so that a thread that can never
       * start costs one file each time, reported, and is not started again and again for none).
       */
      let pushFirst = !callingThread;
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
        if (!ready && sent.length === 0) pushFirst = true;
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
        ready = false;
        if (stopped === undefined) return;
        stopped.off('message', onMessage);
        stopped.off('error', onDied);
        stopped.off('exit', onDied);
        // An error it raises while being terminated concerns a job already reported.
        stopped.on('error', () => undefined);
        void stopped.terminate();
      };
      const onMessage = (reply: ScanJobReply): void => {
        if (reply.ready === true) {
          ready = true;
          // Its startup clock stops, unless it already has a file (which it takes next).
          if (sent.length === 0) clearTimeout(timer);
        }
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
      const spawn = (): Worker => {
        const started = startWorker(script);
        started.on('message', onMessage);
        started.on('error', onDied);
        started.on('exit', onDied);
        worker = started;
        return started;
      };
      const fill = (): void => {
        if (!pushFirst && !ready) {
          // Started without a file: it takes files once ready, if any are left by then.
          if (worker === undefined && hasWork()) {
            spawn();
            arm(STARTUP_MS, 'died');
            return;
          }
          if (worker !== undefined) return;
        }
        while (sent.length < (busy || ready ? JOBS_PER_THREAD : 1)) {
          const file = take();
          if (file === undefined) break;
          worker ??= spawn();
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
  let started = false;
  const startLanes = (): void => {
    if (started) return;
    started = true;
    for (let i = 0; i < workerLanes; i++) startLane();
  };
  if (!callingThread || files.length >= WORKERS_AT_ONCE_FILES) startLanes();
  if (callingThread) {
    await scanOnCallingThread(
      () => (next < files.length ? files[next++] : undefined),
      (file) => {
        deferred.push(file);
        // Every lane may have ended while this thread scanned: one starts again for the file.
        if (!started) startLanes();
        else if (running < workerLanes) startLane();
      },
      (scanned, elapsedMs) => {
        if (!started && ((files.length - next) * elapsedMs) / scanned > WORKER_START_MS)
          startLanes();
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
 * scans each small regular file here; `defer` gets the others, for the worker threads, and
 * `pace` hears now and then how many it scanned in how long.
 */
async function scanOnCallingThread(
  take: () => WalkedFile | undefined,
  defer: (file: WalkedFile) => void,
  pace: (scanned: number, elapsedMs: number) => void,
  limits: Limits,
  allowGlobals: readonly string[],
  onDone: OnFileDone,
): Promise<void> {
  const { scanSmallWalkedFile } = await import('./scan-file.js');
  let yielded = performance.now();
  // The pace is measured from the end of the first file, which also pays for loading the scanner.
  let begun = 0;
  let scanned = -1;
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
    if (++scanned === 0) begun = performance.now();
    // Worker replies wait for this thread: let them in now and then.
    if (performance.now() - yielded >= YIELD_MS) {
      if (scanned > 0) pace(scanned, performance.now() - begun);
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
