import type { Redis } from 'ioredis';
import type { ScanResult } from './scan-job.js';

/**
 * Where finished scans are kept: Redis (the default, beside the queue) or Postgres
 * (`--postgres URL`). Keyed by the artifact's SHA-256; a result is written once and never
 * replaced, so a job that ran twice (its first worker died after scanning) leaves one result.
 */
export interface ResultStore {
  /** The result of `id`, if any. */
  get(id: string): Promise<ScanResult | undefined>;
  has(id: string): Promise<boolean>;
  /** The verdicts of `ids` (undefined where there is no result yet), in order. */
  verdicts(ids: readonly string[]): Promise<(string | undefined)[]>;
  /** Writes `result` unless one exists; true when this call wrote it. */
  writeOnce(result: ScanResult): Promise<boolean>;
  close(): Promise<void>;
}

/** Every result written, once each, in order: `id` and `verdict` fields. */
export const COMPLETED_STREAM = 'torchward:completed';

/** The Redis key of an artifact's result (JSON of ScanResult). */
export function resultKey(id: string): string {
  return `torchward:result:${id}`;
}

// Writes the result and records its completion in one step, only if no result exists: a job run
// twice (its first worker died after scanning) leaves exactly one result and one stream entry.
const WRITE_ONCE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', '1000000', '*', 'id', ARGV[2], 'verdict', ARGV[3])
  return 1
end
return 0`;

/** Results in Redis: `torchward:result:<sha256>`, announced on `torchward:completed`. */
export class RedisResults implements ResultStore {
  /** `redis` is shared with its owner, which closes it. */
  constructor(private readonly redis: Redis) {}

  async get(id: string): Promise<ScanResult | undefined> {
    const stored = await this.redis.get(resultKey(id));
    return stored === null ? undefined : (JSON.parse(stored) as ScanResult);
  }

  async has(id: string): Promise<boolean> {
    return (await this.redis.exists(resultKey(id))) === 1;
  }

  async verdicts(ids: readonly string[]): Promise<(string | undefined)[]> {
    if (ids.length === 0) return [];
    const found = await this.redis.mget(...ids.map(resultKey));
    return found.map((v) => (v === null ? undefined : (JSON.parse(v) as ScanResult).verdict));
  }

  async writeOnce(result: ScanResult): Promise<boolean> {
    const wrote = await this.redis.eval(
      WRITE_ONCE,
      2,
      resultKey(result.id),
      COMPLETED_STREAM,
      JSON.stringify(result),
      result.id,
      result.verdict,
    );
    return wrote === 1;
  }

  async close(): Promise<void> {
    // The connection belongs to the queue or worker that made this store.
  }
}
