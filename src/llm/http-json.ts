import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestBudget } from './budget.js';
import { LlmError } from './errors.js';

/** How `postJson` retries and bounds one logical request. */
export interface PostJsonOptions {
  readonly budget: RequestBudget;
  /** Retries after the first attempt on 429, 5xx, timeouts and connection errors. */
  readonly retries: number;
  readonly timeoutMs: number;
  /**
   * First backoff delay; doubles per retry with jitter, capped at 30 s; Retry-After wins (up to
   * `maxRetryAfterMs`).
   */
  readonly backoffMs: number;
  readonly maxResponseBytes: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Awaited before every attempt, retries included (a rate limiter). */
  readonly beforeRequest?: () => Promise<void>;
  /**
   * Longest wait a Retry-After header may ask for (default 60 s): a server answering
   * `Retry-After: 3600` must not stall a run for an hour.
   */
  readonly maxRetryAfterMs?: number;
}

const MAX_RETRY_AFTER_MS = 60_000;

/**
 * POSTs `body` as JSON and returns the parsed JSON reply. Retries with exponential backoff on
 * 429 and 5xx (honouring Retry-After), timeouts and connection errors; every attempt takes one
 * request from the budget. Replies are read up to `maxResponseBytes`. A body that is not JSON
 * because it carries NaN or Infinity (as Python's json module writes them) is reported as
 * `non-finite-logprob`, not as a generic parse error.
 */
export async function postJson(
  url: string,
  body: unknown,
  options: PostJsonOptions,
): Promise<unknown> {
  return parseJsonReply((await postForText(url, body, options)).text);
}

/** A successful reply: its body (bounded) and its media type. */
export interface TextReply {
  readonly text: string;
  /** The Content-Type header, lower-cased ('' when absent). */
  readonly contentType: string;
}

/**
 * POSTs `body` as JSON and returns the raw reply body, with the same retries, backoff, budget,
 * timeout and size bound as `postJson`. For endpoints whose reply is not one JSON value (a
 * server-sent event stream). The timeout covers the whole exchange, so a server that sends
 * headers and then stalls the body is cut off too.
 */
export async function postForText(
  url: string,
  body: unknown,
  options: PostJsonOptions,
): Promise<TextReply> {
  const payload = JSON.stringify(body);
  let attempt = 0;
  for (;;) {
    await options.beforeRequest?.();
    options.budget.take();
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = await readBounded(response, options.maxResponseBytes);
      if (response.status === 429 || response.status >= 500) {
        const header = response.headers.get('retry-after');
        if (header !== null && /^\d{1,5}$/.test(header))
          retryAfterMs = Math.min(
            Number(header) * 1000,
            options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS,
          );
        throw new LlmError(
          'http-error',
          `HTTP ${response.status} from ${url}: ${snippet(text)}`,
          true,
        );
      }
      if (response.status < 200 || response.status >= 300) {
        throw new LlmError('http-error', `HTTP ${response.status} from ${url}: ${snippet(text)}`);
      }
      return { text, contentType: (response.headers.get('content-type') ?? '').toLowerCase() };
    } catch (error) {
      const failure = classify(error, url, options.timeoutMs);
      if (!failure.retryable || attempt >= options.retries) throw failure;
      const backoff = Math.min(30_000, options.backoffMs * 2 ** attempt);
      const delay = retryAfterMs ?? backoff / 2 + Math.random() * (backoff / 2);
      attempt++;
      await sleep(delay);
    }
  }
}

/** Parses a reply body; NaN/Infinity (invalid JSON that Python writes) get their own code. */
export function parseJsonReply(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (/(?:^|[\s:,[])-?(?:NaN|Infinity)(?=[\s,\]}])/.test(text)) {
      throw new LlmError(
        'non-finite-logprob',
        'the reply carries NaN or Infinity where a log-probability should be a finite number',
      );
    }
    throw new LlmError('bad-reply', `the reply is not JSON: ${snippet(text)}`);
  }
}

async function readBounded(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    const bytes = chunk as Uint8Array;
    total += bytes.length;
    if (total > limit) {
      throw new LlmError('bad-reply', `reply larger than ${limit} bytes`);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function classify(error: unknown, url: string, timeoutMs: number): LlmError {
  if (error instanceof LlmError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new LlmError('timeout', `no reply from ${url} within ${timeoutMs} ms`, true);
  }
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  // A certificate the client rejects stays rejected: retrying only delays the verdict.
  if (typeof cause === 'string' && /CERT|SSL|TLS|SELF_SIGNED|ERR_OSSL/.test(cause)) {
    return new LlmError('tls-error', `TLS handshake with ${url} failed: ${cause}`);
  }
  return new LlmError(
    'http-error',
    `cannot reach ${url}: ${typeof cause === 'string' ? cause : String(error)}`,
    true,
  );
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
