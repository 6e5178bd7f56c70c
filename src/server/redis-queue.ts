import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type {
  QueueCounts,
  QueueHealth,
  ScanQueue,
  ScanRecord,
  ScanStatus,
  StoreHealth,
} from './queue.js';
import { downCode, RedisResults, within, type ResultStore } from './results.js';

export { COMPLETED_STREAM, resultKey } from './results.js';

/** The BullMQ queue of scans; its job ids are artifact SHA-256s. */
export const SCAN_QUEUE = 'torchward-scans';
/** Where a scan goes after its last attempt failed. */
export const DEAD_QUEUE = 'torchward-dead';
/** Attempts, back-off and retention of every scan job. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  // Results live under resultKey; the job record is only kept a while for status.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: false,
};

/** A Redis client for the given URL that retries commands across a Redis restart. */
export function redisClient(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // While Redis is down the client reconnects by itself and commands wait; a failure that matters
  // reaches the caller through the command's own rejection, so connection errors are not thrown.
  client.on('error', () => undefined);
  return client;
}

/** Producer side of the BullMQ queue (`serve --redis`, `hub-scan`): workers do the scanning. */
export class RedisQueue implements ScanQueue {
  readonly queue: Queue;
  readonly redis: Redis;
  /** Where results are read: Redis by default, Postgres when given. */
  readonly results: ResultStore;

  constructor(
    readonly url: string,
    results?: ResultStore,
  ) {
    this.queue = new Queue(SCAN_QUEUE, {
      connection: { url, maxRetriesPerRequest: null },
      defaultJobOptions: JOB_OPTIONS,
    });
    this.redis = redisClient(url);
    this.results = results ?? new RedisResults(this.redis);
  }

  async submit(id: string): Promise<ScanStatus> {
    if (await this.results.has(id)) return 'done';
    const existing = await this.queue.getJob(id);
    if (existing !== undefined) {
      const state = await existing.getState();
      if (state === 'failed') {
        await existing.retry('failed');
        return 'queued';
      }
      if (state !== 'completed' && state !== 'unknown') return statusOf(state);
      // A completed job whose result is gone (a Redis without persistence, flushed): rescan.
      await existing.remove().catch(() => undefined);
    }
    // The job id is the SHA-256: BullMQ ignores a second add while the first job exists.
    await this.queue.add('scan', { id }, { jobId: id });
    return 'queued';
  }

  async get(id: string): Promise<ScanRecord | undefined> {
    const result = await this.results.get(id);
    if (result !== undefined) return { id, status: 'done', result };
    const job = await this.queue.getJob(id);
    if (job === undefined) return undefined;
    const state = await job.getState();
    if (state === 'unknown') return undefined;
    return {
      id,
      status: state === 'completed' ? 'running' : statusOf(state),
      attempts: job.attemptsMade,
      ...(job.failedReason === '' ? {} : { error: job.failedReason }),
    };
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts(
      'waiting',
      'delayed',
      'prioritized',
      'active',
      'completed',
      'failed',
    );
    return {
      queued: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0),
      running: c.active ?? 0,
      done: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  async health(timeoutMs: number): Promise<QueueHealth> {
    const [queue, store] = await Promise.all([
      this.redis.status === 'ready'
        ? within(this.redis.ping(), timeoutMs).then(
            () => true,
            () => false,
          )
        : Promise.resolve(false),
      this.results.ping(timeoutMs).then(
        (): StoreHealth => ({ kind: this.results.kind, reachable: true }),
        (error: unknown): StoreHealth => ({
          kind: this.results.kind,
          reachable: false,
          error: downCode(error),
        }),
      ),
    ]);
    return { queue, store };
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.results.close();
    this.redis.disconnect();
  }
}

function statusOf(state: string): ScanStatus {
  switch (state) {
    case 'active':
      return 'running';
    case 'failed':
      return 'failed';
    case 'completed':
      return 'done';
    default:
      return 'queued';
  }
}
