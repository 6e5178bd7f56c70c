import { Queue, Worker, type Job } from 'bullmq';
import { DEAD_QUEUE, redisClient, SCAN_QUEUE } from './redis-queue.js';
import { RedisResults, type ResultStore } from './results.js';
import { scanStored } from './scan-job.js';
import type { ContentStore } from './store.js';

/** Options of `torchward worker`. */
export interface WorkerOptions {
  readonly redisUrl: string;
  readonly store: ContentStore;
  /** Jobs this process runs at once (each on its own scan thread). */
  readonly concurrency: number;
  /** Time one artifact may take; the job fails (and is retried) if the scan overruns it. */
  readonly timeoutMs: number;
  /**
   * How long a job's lock lasts without renewal: a worker that dies holding a job (SIGKILL, lost
   * machine) has it taken over by another worker after about this long.
   */
  readonly lockMs?: number;
  /** Where results go (Postgres with `--postgres`); Redis beside the queue by default. */
  readonly results?: ResultStore;
  /** Told about each finished or failed job. */
  readonly onEvent?: (event: string) => void;
}

/** A running worker; `close` waits for the jobs in hand. */
export interface RunningWorker {
  readonly worker: Worker;
  close(): Promise<void>;
}

/**
 * Starts a BullMQ worker that scans stored artifacts: results go to the result store (Redis, or
 * Postgres) once each, failures
 * are retried with back-off (JOB_OPTIONS) and, after the last attempt, copied to the dead-letter
 * queue. A job whose worker died is taken over once its lock expires.
 */
export function startWorker(options: WorkerOptions): RunningWorker {
  const redis = redisClient(options.redisUrl);
  const results = options.results ?? new RedisResults(redis);
  const dead = new Queue(DEAD_QUEUE, {
    connection: { url: options.redisUrl, maxRetriesPerRequest: null },
  });
  const lockMs = options.lockMs ?? 30_000;
  const process = async (
    job: Job<{ id: string }>,
  ): Promise<{ verdict: string; wrote: boolean }> => {
    const id = job.data.id;
    const existing = await results.get(id);
    if (existing !== undefined) return { verdict: existing.verdict, wrote: false };
    const result = await withTimeout(
      scanStored(options.store, id, { timeoutMs: options.timeoutMs }),
      // The engine stops a file at timeoutMs itself; this only catches a scan that never ends.
      options.timeoutMs + 5_000,
    );
    // Written once: a second writer of the same artifact (this job retried after its first
    // worker died past this point) leaves the first result in place.
    const wrote = await results.writeOnce(result);
    return { verdict: result.verdict, wrote };
  };
  const worker = new Worker(SCAN_QUEUE, process, {
    connection: { url: options.redisUrl, maxRetriesPerRequest: null },
    concurrency: options.concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
    maxStalledCount: 2,
  });
  worker.on('completed', (job: Job<{ id: string }>) => {
    options.onEvent?.(`done ${job.data.id}`);
  });
  worker.on('failed', (job: Job<{ id: string }> | undefined, error: Error) => {
    if (job === undefined) return;
    options.onEvent?.(`failed ${job.data.id} (attempt ${job.attemptsMade}): ${error.message}`);
    if (job.attemptsMade >= (job.opts.attempts ?? 1)) {
      void dead
        .add(
          'dead',
          { id: job.data.id, error: error.message, attempts: job.attemptsMade },
          {
            jobId: job.data.id,
          },
        )
        .catch(() => undefined);
    }
  });
  // Connection errors while Redis restarts are retried by the client; keep them off stderr spam.
  worker.on('error', (error: Error) => {
    options.onEvent?.(`error ${error.message}`);
  });
  return {
    worker,
    close: async () => {
      await worker.close();
      await dead.close();
      await results.close();
      redis.disconnect();
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`the scan did not finish in ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
