// Worker entry for the hash pool: receives batches of tasks, answers with digests or errors.
import { parentPort } from 'node:worker_threads';
import { digestFileSync, newChunkBuffer, type HashTask } from './digest-file.js';

/** A batch sent to a worker. */
export interface HashBatch {
  readonly id: number;
  readonly tasks: readonly HashTask[];
}

/** One task's outcome: a hex digest, or an error message with the system code when known. */
export type HashOutcome =
  | { readonly ok: true; readonly digest: string; readonly bytes: number }
  | { readonly ok: false; readonly error: string; readonly code?: string };

/** A worker's answer to a batch. */
export interface HashBatchResult {
  readonly id: number;
  readonly outcomes: readonly HashOutcome[];
}

/** Hashes every task of a batch, turning each failure into an outcome. */
export function runBatch(tasks: readonly HashTask[], buffer: Uint8Array): HashOutcome[] {
  return tasks.map((task): HashOutcome => {
    try {
      return { ok: true, ...digestFileSync(task, buffer) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return {
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        ...(typeof code === 'string' ? { code } : {}),
      };
    }
  });
}

const port = parentPort;
if (port !== null) {
  const buffer = newChunkBuffer();
  port.on('message', (batch: HashBatch) => {
    const result: HashBatchResult = { id: batch.id, outcomes: runBatch(batch.tasks, buffer) };
    port.postMessage(result);
  });
}
