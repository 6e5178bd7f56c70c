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
 * What comes back: first `started` (the thread took the job), then the outcome (absent after a
 * bug) and the internal errors met.
 */
export interface ScanJobReply {
  readonly id: number;
  readonly started?: true;
  readonly result?: WalkedOutcome;
  readonly internalErrors: readonly string[];
}

/**
 * Time a worker may take past a file's own deadline before it is terminated: the decoders check
 * the deadline themselves and report in time; this only catches one that never returns.
 */
const GRACE_MS = 500;
/** Time a new thread may take to load the scanner and take its first file. */
const STARTUP_MS = 30_000;

/**
 * Scans `files` on `threads` worker threads, one file per thread at a time, calling `onDone` with
 * each outcome as it arrives. A thread that runs past a file's time limit (Limits.maxMillisPerFile
 * plus a short grace) is terminated and replaced; that file is reported `invalid` with the
 * model/malformed-input LIMIT_EXCEEDED finding, and the others carry on.
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
): Promise<void> {
  let next = 0;
  let ids = 0;
  const script = new URL('./scan-worker.js', import.meta.url);
  const lane = async (): Promise<void> => {
    let worker: Worker | undefined;
    try {
      while (next < files.length) {
        const file = files[next++];
        if (file === undefined) break;
        worker ??= startWorker(script);
        const job: ScanJob = { id: ++ids, file, limits, allowGlobals };
        const reply = await runJob(worker, job, limits.maxMillisPerFile + GRACE_MS);
        if (reply === 'timeout' || reply === 'died') {
          // The thread may be stuck in a decoder: it is dropped and a fresh one takes the next file.
          void worker.terminate();
          worker = undefined;
          onDone(file, timedOut(file, limits, reply), []);
        } else {
          onDone(file, reply.result, reply.internalErrors);
        }
      }
    } finally {
      if (worker !== undefined) void worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, files.length)) }, lane));
}

/**
 * Sends `job` and waits for its reply, at most `timeoutMs` after the thread took it (a thread that
 * does not take it within STARTUP_MS counts as died).
 */
function runJob(
  worker: Worker,
  job: ScanJob,
  timeoutMs: number,
): Promise<ScanJobReply | 'timeout' | 'died'> {
  return new Promise((resolve) => {
    const finish = (outcome: ScanJobReply | 'timeout' | 'died'): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onDied);
      worker.off('exit', onDied);
      resolve(outcome);
    };
    const onMessage = (reply: ScanJobReply): void => {
      if (reply.id !== job.id) return;
      if (reply.started === true) {
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish('timeout');
        }, timeoutMs);
      } else {
        finish(reply);
      }
    };
    const onDied = (): void => {
      finish('died');
    };
    let timer = setTimeout(() => {
      finish('died');
    }, STARTUP_MS);
    worker.on('message', onMessage);
    worker.on('error', onDied);
    worker.on('exit', onDied);
    worker.postMessage(job);
  });
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
