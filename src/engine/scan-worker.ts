// A scan worker thread (src/engine/scan-pool.ts): scans one model file at a time with the same
// code as the main thread and posts its result back. The pool terminates the thread when a file
// runs past its time limit, so even a decoder that never returns stalls only its own file.
import { parentPort } from 'node:worker_threads';
import type { ScanJob, ScanJobReply } from './scan-pool.js';
import { scanWalkedFile } from './scan-file.js';

parentPort?.on('message', (job: ScanJob) => {
  const internalErrors: string[] = [];
  const reply = (message: ScanJobReply): void => {
    parentPort?.postMessage(message);
  };
  // The pool's clock for this file starts now, not while the thread was still loading.
  reply({ id: job.id, started: true, internalErrors });
  scanWalkedFile(job.file, job.limits, job.allowGlobals, internalErrors).then(
    (result) => {
      reply({ id: job.id, result, internalErrors });
    },
    (error: unknown) => {
      // scanWalkedFile never throws for bad input: this is a bug, reported as an internal error.
      const message = error instanceof Error ? error.message : String(error);
      reply({
        id: job.id,
        internalErrors: [...internalErrors, `${job.file.displayPath}: ${message}`],
      });
    },
  );
});
