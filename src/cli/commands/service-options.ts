import { resolve } from 'node:path';
import type { HubFetcher } from '../../server/hub-fetch.js';
import type { ResultStore } from '../../server/results.js';
import { UsageError } from '../io.js';

// Option parsing shared by `serve`, `worker` and `hub-scan`.

/** A positive integer option, or `fallback` when absent. */
export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,15}$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`${flag} needs a positive integer, got '${value}'`);
  }
  return Number(value);
}

/** A byte count: a positive integer with an optional K, M, G or T suffix (powers of 1024). */
export function byteSize(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d{1,15})([KMGT]?)i?B?$/i.exec(value);
  if (m?.[1] === undefined)
    throw new UsageError(`${flag} needs a size like 512M or 4G, got '${value}'`);
  const scale = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[
    (m[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'
  ];
  const n = Number(m[1]) * scale;
  if (n <= 0 || !Number.isSafeInteger(n))
    throw new UsageError(`${flag} is out of range: '${value}'`);
  return n;
}

/**
 * The parseArgs entries of the queue and its stores, the same in `serve`, `worker` and
 * `hub-scan`: `--redis URL` (redisUrl, requiredRedis), `--postgres URL` (postgresResults) and
 * `--store DIR` (storeDir).
 */
export const QUEUE_OPTIONS = {
  redis: { type: 'string' },
  postgres: { type: 'string' },
  store: { type: 'string' },
} as const;

/** `--redis URL` where the command cannot run without it (`worker`, `hub-scan`). */
export function requiredRedis(value: string | undefined): string {
  const redis = redisUrl(value);
  if (redis === undefined) throw new UsageError('--redis URL is required');
  return redis;
}

/** A `redis://` or `rediss://` URL. */
export function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--redis needs a URL like redis://127.0.0.1:6379, got '${value}'`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`--redis needs a redis:// or rediss:// URL, got '${value}'`);
  }
  return value;
}

/**
 * The Postgres result store `--postgres URL` names (its table created when missing), or
 * undefined without the flag (results stay in Redis).
 */
export async function postgresResults(
  value: string | undefined,
  maxConnections?: number,
): Promise<ResultStore | undefined> {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `--postgres needs a URL like postgres://USER@127.0.0.1:5432/DB, got '${value}'`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`--postgres needs a postgres:// URL, got '${url.protocol}…'`);
  }
  const { PostgresResults } = await import('../../server/postgres-results.js');
  try {
    return await PostgresResults.connect(value, maxConnections);
  } catch (error) {
    throw new UsageError(`--postgres: cannot use ${url.host}: ${(error as Error).message}`);
  }
}

/** The artifact store folder (default ./torchward-store). */
export function storeDir(value: string | undefined, cwd: string): string {
  return resolve(cwd, value ?? 'torchward-store');
}

/** The Hub's base URL: --hf-endpoint, HF_ENDPOINT or huggingface.co, without trailing `/`. */
export function hubEndpoint(given: string | undefined): string {
  const text = given === undefined || given === '' ? 'https://huggingface.co' : given;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--hf-endpoint: not a URL: ${text}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`--hf-endpoint: not an http(s) URL: ${text}`);
  }
  return text.replace(/\/+$/, '');
}

/**
 * The Hub fetcher of `serve` and `hub-scan`: the endpoint from --hf-endpoint or HF_ENDPOINT,
 * HF_TOKEN sent to that origin only.
 */
export async function hubFetcher(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  allowLoopback: boolean,
): Promise<HubFetcher> {
  const { HubFetcher } = await import('../../server/hub-fetch.js');
  const token = env.HF_TOKEN;
  return new HubFetcher({
    connection: {
      endpoint: hubEndpoint(flag ?? env.HF_ENDPOINT),
      timeoutMs: 60_000,
      ...(token === undefined || token === '' ? {} : { token }),
    },
    guard: allowLoopback ? { allowLoopback: true } : {},
  });
}

/** Resolves when the process is asked to stop (SIGINT or SIGTERM). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}
