import { availableParallelism } from 'node:os';
import { newChunkBuffer, type HashTask } from './digest-file.js';
import { runBatch, type HashBatch, type HashBatchResult, type HashOutcome } from './hash-worker.js';
import { startWorker } from '../core/worker-options.js';

/** Options for {@link hashTasks}. */
export interface HashPoolOptions {
  /** Most worker threads to use; default: the machine's available parallelism. */
  readonly workers?: number;
}

// Below this many bytes in total, starting threads costs more than it saves.
const IN_PROCESS_BYTES = 8 << 20;
// A batch closes at this many bytes or tasks, so small files travel in few messages while big
// files still spread over the workers.
const BATCH_BYTES = 4 << 20;
const BATCH_TASKS = 64;

/**
 * Hashes every task and returns one outcome per task, in task order. `sizes[i]` is the expected
 * byte count of task i (used only to balance the work). Uses worker threads, one per core, when
 * there is enough to hash; never rejects for a file it cannot read (that becomes an outcome).
 */
export async function hashTasks(
  tasks: readonly HashTask[],
  sizes: readonly number[],
  options: HashPoolOptions = {},
): Promise<HashOutcome[]> {
  const total = sizes.reduce((a, b) => a + b, 0);
  const wanted = Math.max(1, Math.min(options.workers ?? availableParallelism(), tasks.length));
  if (tasks.length === 0) return [];
  if (total < IN_PROCESS_BYTES) return runBatch(tasks, newChunkBuffer());

  const batches: { start: number; tasks: HashTask[] }[] = [];
  let current: HashTask[] = [];
  let currentBytes = 0;
  let start = 0;
  tasks.forEach((task, i) => {
    current.push(task);
    currentBytes += sizes[i] ?? 0;
    if (currentBytes >= BATCH_BYTES || current.length >= BATCH_TASKS) {
      batches.push({ start, tasks: current });
      start = i + 1;
      current = [];
      currentBytes = 0;
    }
  });
  if (current.length > 0) batches.push({ start, tasks: current });

  const outcomes: HashOutcome[] = new Array<HashOutcome>(tasks.length);
  const workers = Array.from({ length: Math.min(wanted, batches.length) }, () =>
    startWorker(new URL('./hash-worker.js', import.meta.url)),
  );
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = (): void => {
              const id = next++;
              const batch = batches[id];
              if (batch === undefined) {
                resolve();
                return;
              }
              const message: HashBatch = { id, tasks: batch.tasks };
              worker.postMessage(message);
            };
            worker.on('message', (result: HashBatchResult) => {
              const batch = batches[result.id];
              if (batch !== undefined) {
                result.outcomes.forEach((o, i) => {
                  outcomes[batch.start + i] = o;
                });
              }
              send();
            });
            worker.once('error', reject);
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return outcomes;
}
