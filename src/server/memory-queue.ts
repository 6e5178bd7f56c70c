import type { QueueCounts, QueueHealth, ScanQueue, ScanRecord, ScanStatus } from './queue.js';
import { scanStored, type JobOptions, type ScanResult } from './scan-job.js';
import type { ContentStore } from './store.js';

/** Options of the in-process queue. */
export interface MemoryQueueOptions extends JobOptions {
  /** Scans run at once. */
  readonly concurrency: number;
  /** Attempts per scan (an attempt fails on an I/O error, not on a hostile file). */
  readonly attempts: number;
  /** Finished scans kept; the oldest are forgotten past this (a new submission rescans). */
  readonly keep?: number;
}

interface Entry {
  status: ScanStatus;
  result?: ScanResult;
  error?: string;
  attempts: number;
}

/**
 * The queue `serve` runs without `--redis`: one process, scans on worker threads, results in
 * memory (bounded by `keep`). Lost on restart; use Redis for anything that must survive one.
 */
export class MemoryQueue implements ScanQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly waiting: string[] = [];
  private running = 0;
  private closed = false;

  constructor(
    private readonly store: ContentStore,
    private readonly options: MemoryQueueOptions,
  ) {}

  submit(id: string): Promise<ScanStatus> {
    const existing = this.entries.get(id);
    if (existing !== undefined && existing.status !== 'failed')
      return Promise.resolve(existing.status);
    this.entries.set(id, { status: 'queued', attempts: 0 });
    this.waiting.push(id);
    this.pump();
    return Promise.resolve('queued');
  }

  get(id: string): Promise<ScanRecord | undefined> {
    const e = this.entries.get(id);
    if (e === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      id,
      status: e.status,
      attempts: e.attempts,
      ...(e.result === undefined ? {} : { result: e.result }),
      ...(e.error === undefined ? {} : { error: e.error }),
    });
  }

  counts(): Promise<QueueCounts> {
    const c = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const e of this.entries.values()) c[e.status]++;
    return Promise.resolve(c);
  }

  health(): Promise<QueueHealth> {
    // Results live in this process: the store is reachable while the queue is open.
    const up = !this.closed;
    return Promise.resolve({
      queue: up,
      store: { kind: 'memory', reachable: up, ...(up ? {} : { error: 'CLOSED' }) },
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    while (this.running > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private pump(): void {
    while (!this.closed && this.running < this.options.concurrency) {
      const id = this.waiting.shift();
      if (id === undefined) return;
      const entry = this.entries.get(id);
      if (entry === undefined) continue;
      this.running++;
      entry.status = 'running';
      void this.run(id, entry).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(id: string, entry: Entry): Promise<void> {
    for (;;) {
      entry.attempts++;
      try {
        entry.result = await scanStored(this.store, id, this.options);
        entry.status = 'done';
        delete entry.error;
        this.forgetOld();
        return;
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
        if (entry.attempts >= this.options.attempts || this.closed) {
          entry.status = 'failed';
          return;
        }
        // Back-off: 200 ms, 400 ms, 800 ms …
        await new Promise((r) => setTimeout(r, 200 * 2 ** (entry.attempts - 1)));
      }
    }
  }

  private forgetOld(): void {
    const keep = this.options.keep ?? 100_000;
    if (this.entries.size <= keep) return;
    for (const [id, e] of this.entries) {
      if (this.entries.size <= keep) break;
      if (e.status === 'done' || e.status === 'failed') this.entries.delete(id);
    }
  }
}
