import type { ScanResult } from './scan-job.js';

/** Where a scan is. */
export type ScanStatus = 'queued' | 'running' | 'done' | 'failed';

/** A scan as the API reports it. */
export interface ScanRecord {
  readonly id: string;
  readonly status: ScanStatus;
  readonly result?: ScanResult;
  /** Why the last attempt failed (a failed scan went to the dead-letter queue). */
  readonly error?: string;
  readonly attempts?: number;
}

/** Job counts for health and metrics. */
export interface QueueCounts {
  readonly queued: number;
  readonly running: number;
  readonly done: number;
  readonly failed: number;
}

/** The state of the configured result store, as `/healthz` shows it. */
export interface StoreHealth {
  /** `memory` (in process), `redis` (beside the queue) or `postgres` (`--postgres`). */
  readonly kind: 'memory' | 'redis' | 'postgres';
  readonly reachable: boolean;
  /** Why not, when not reachable: a short code (`ECONNREFUSED`, `TIMEOUT`, ...). */
  readonly error?: string;
}

/** What `ScanQueue.health` found. */
export interface QueueHealth {
  /** True while the queue answers. */
  readonly queue: boolean;
  readonly store: StoreHealth;
}

/**
 * The scan queue behind the API: in process (no setup) or BullMQ over Redis (`--redis`). Scans
 * are keyed by the artifact's SHA-256: submitting stored bytes again returns the first scan.
 */
export interface ScanQueue {
  /** Queues the stored artifact `id` unless it was already submitted; its status now. */
  submit(id: string): Promise<ScanStatus>;
  /** The scan of `id`, or undefined when it was never submitted. */
  get(id: string): Promise<ScanRecord | undefined>;
  counts(): Promise<QueueCounts>;
  /**
   * Whether the queue and the result store answer, each within `timeoutMs`; never rejects.
   * `/healthz` reports it.
   */
  health(timeoutMs: number): Promise<QueueHealth>;
  close(): Promise<void>;
}
