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
  /** What backs the store, named by `/healthz`. */
  readonly kind: 'redis' | 'postgres';
  /**
   * Resolves when the store answers within `timeoutMs`; rejects otherwise (a StoreDownError, or
   * the client's own error). Cheap: one round trip, never a pile of waiting commands.
   */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A result store that cannot be reached; `code` is short and says nothing of its address. */
export class StoreDownError extends Error {
  override readonly name = 'StoreDownError';
  constructor(readonly code: string) {
    super(`the result store cannot be reached (${code})`);
  }
}

/** `work`, or a StoreDownError('TIMEOUT') once `ms` have passed without an answer. */
export async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new StoreDownError('TIMEOUT'));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A short, address-free name for why a store check failed (`ECONNREFUSED`, `TIMEOUT`, a
 * Postgres SQLSTATE): /healthz answers anyone, so it must not repeat hosts, users or URLs.
 */
export function downCode(error: unknown): string {
  if (error instanceof StoreDownError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[\w-]{1,32}$/.test(code) ? code : 'UNREACHABLE';
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

  readonly kind = 'redis';

  async ping(timeoutMs: number): Promise<void> {
    // While the connection is down the client queues commands until it reconnects: answer at
    // once instead of adding a PING to that queue.
    if (this.redis.status !== 'ready') throw new StoreDownError('NOT_CONNECTED');
    await within(this.redis.ping(), timeoutMs);
  }

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
