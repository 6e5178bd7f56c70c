// A scan worker thread (src/engine/scan-pool.ts): scans one model file at a time with the same
// code as the main thread and posts its result back. The pool terminates the thread when a file
// runs past its time limit, so even a decoder that never returns stalls only its own file.
import { parentPort } from 'node:worker_threads';
import type { ScanJob, ScanJobReply } from './scan-pool.js';
import { scanWalkedFile } from './scan-file.js';

/** Jobs received and not yet started, in order (the pool keeps at most one waiting). */
const waiting: ScanJob[] = [];
let busy = false;

parentPort?.on('message', (job: ScanJob) => {
  waiting.push(job);
  if (!busy) runNext(undefined);
});
// The scanner is loaded: the pool may send files now (it waits for this when its calling thread
// scans meanwhile).
parentPort?.postMessage({ ready: true } satisfies ScanJobReply);

/**
 * Takes the next waiting job, if any, and posts `finished` (the outcome of the job just done)
 * together with the news that it started: one message where there would be two.
 */
function runNext(finished: ScanJobReply | undefined): void {
  const job = waiting.shift();
  if (job === undefined) {
    busy = false;
    if (finished !== undefined) parentPort?.postMessage(finished);
    return;
  }
  busy = true;
  // The pool's clock for this file starts now, not while the thread was loading or busy.
  parentPort?.postMessage({ ...finished, started: job.id } satisfies ScanJobReply);
  const internalErrors: string[] = [];
  scanWalkedFile(job.file, job.limits, job.allowGlobals, internalErrors).then(
    (result) => {
      runNext({ id: job.id, result, internalErrors });
    },
    (error: unknown) => {
      // scanWalkedFile never throws for bad input: this is a bug, reported as an internal error.
      const message = error instanceof Error ? error.message : String(error);
      runNext({
        id: job.id,
        internalErrors: [...internalErrors, `${job.file.displayPath}: ${message}`],
      });
    },
  );
}
