import { Octokit } from '@octokit/rest';

/** Bounds on one session with the GitHub REST API. */
export interface GitHubBudget {
  /** Most HTTP requests sent in all (pages and retries included). */
  readonly maxRequests: number;
  /** Most pages read from one paginated list. */
  readonly maxPages: number;
  /** Largest response body read, in bytes. */
  readonly maxResponseBytes: number;
  /** Time allowed for one request, in milliseconds. */
  readonly timeoutMs: number;
  /** Retries of one request after a rate limit or a server error. */
  readonly maxRetries: number;
  /** Longest single wait for a rate limit to reset, in milliseconds; longer waits give up. */
  readonly maxWaitMs: number;
}

/** Defaults for an audit of one repository. */
export const DEFAULT_GITHUB_BUDGET: GitHubBudget = Object.freeze({
  maxRequests: 2000,
  maxPages: 20,
  maxResponseBytes: 8 * 1024 * 1024,
  timeoutMs: 30_000,
  maxRetries: 3,
  maxWaitMs: 60_000,
});

/** Why a read failed: an HTTP status, a body that is not the JSON expected, or the transport. */
export type ApiFailureCode = 'HTTP' | 'MALFORMED' | 'NETWORK' | 'BUDGET';

/** The outcome of one API read; never an exception. */
export type ApiResult<T> =
  | {
      readonly ok: true;
      readonly status: number;
      readonly data: T;
      /** A list cut at `maxPages`: more items exist than were read. */
      readonly truncated: boolean;
    }
  | {
      readonly ok: false;
      readonly code: ApiFailureCode;
      readonly status: number | undefined;
      /** One line for a report (never contains the token). */
      readonly reason: string;
    };

/** Thrown inside the transport when a bound is hit; never retried. */
class BudgetError extends Error {
  override readonly name = 'BudgetError';
}

export interface GitHubClientOptions {
  /** REST API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  readonly baseUrl: string;
  /** The token; sent only to `baseUrl`'s origin and never written anywhere. */
  readonly token?: string | undefined;
  readonly budget?: Partial<GitHubBudget>;
  /** Receives one line per retry or warning (the CLI writes them to stderr). */
  readonly log?: (line: string) => void;
}

/**
 * Checks an API root given on the command line: http(s) only, and plain http only to a loopback
 * host (a token must not cross a network in clear). Throws TypeError with the reason.
 */
export function checkApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`--api-url is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('--api-url must not carry credentials');
  }
  if (url.protocol === 'http:') {
    if (!isLoopback(url.hostname)) {
      throw new TypeError('--api-url must use https (plain http only to a loopback address)');
    }
  } else if (url.protocol !== 'https:') {
    throw new TypeError('--api-url must be an http(s) URL');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new TypeError('--api-url must not have a query or fragment');
  }
  return url.toString().replace(/\/+$/, '');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

// The REST API version every request asks for, so response shapes do not drift under us.
const API_VERSION = '2022-11-28';

type RawRequest = (
  route: string,
  params: Readonly<Record<string, unknown>>,
) => Promise<{ status: number; data: unknown; headers: Record<string, string | undefined> }>;

/**
 * One client per remote (STYLE §10): every GitHub REST call goes through it, with a request
 * budget, per-request timeouts, a response size cap, bounded back-off on rate limits, and
 * pagination cut at `maxPages`. Requests are sent one at a time, so runs are deterministic.
 */
export class GitHubClient {
  readonly budget: GitHubBudget;
  private readonly octokit: Octokit;
  private readonly origin: string;
  private readonly basePath: string;
  private requests = 0;
  private readonly log: (line: string) => void;

  constructor(options: GitHubClientOptions) {
    this.budget = { ...DEFAULT_GITHUB_BUDGET, ...options.budget };
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.log = options.log ?? (() => undefined);
    const silent = (): void => undefined;
    this.octokit = new Octokit({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      ...(options.token === undefined || options.token === '' ? {} : { auth: options.token }),
      userAgent: 'torchward',
      log: {
        debug: silent,
        info: silent,
        warn: (m: string) => {
          this.log(m);
        },
        error: silent,
      },
      request: { fetch: this.boundedFetch },
    });
    this.octokit.hook.wrap('request', async (request, options) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await request(options);
        } catch (error) {
          const wait = this.retryDelay(error, attempt);
          if (wait === undefined) throw error;
          this.log(`GitHub API: ${describeError(error)}; retrying in ${Math.ceil(wait / 1000)} s`);
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }
    });
  }

  /** Requests sent so far (pages and retries included). */
  get requestCount(): number {
    return this.requests;
  }

  /** GET one object. */
  async get(route: string, params: Readonly<Record<string, unknown>>): Promise<ApiResult<unknown>> {
    try {
      const response = await this.raw(`GET ${route}`, withVersion(params));
      if (typeof response.data === 'string' || response.data instanceof ArrayBuffer) {
        return malformed('the response is not JSON');
      }
      return { ok: true, status: response.status, data: response.data, truncated: false };
    } catch (error) {
      return failure(error);
    }
  }

  /**
   * GET a paginated list, following `Link: rel="next"` for at most `maxPages` pages. A list
   * response wrapped in an object (`{ total_count, runners: [...] }`) yields the inner array.
   */
  async list(
    route: string,
    params: Readonly<Record<string, unknown>>,
    maxPages = this.budget.maxPages,
  ): Promise<ApiResult<unknown[]>> {
    const cap = Math.min(maxPages, this.budget.maxRequests);
    const items: unknown[] = [];
    let pages = 0;
    try {
      const iterator = this.octokit.paginate.iterator(
        `GET ${route}` as 'GET /repos/{owner}/{repo}/releases',
        { per_page: 100, ...withVersion(params) } as never,
      );
      for await (const page of iterator) {
        const data: unknown = page.data;
        if (!Array.isArray(data)) return malformed('a page of the list is not a JSON array');
        for (const item of data) items.push(item);
        pages++;
        if (pages >= cap) {
          // A server can announce a next page forever (a pagination loop): stop at the cap and say
          // the list may be incomplete when another page was announced.
          const more = (page.headers.link ?? '').includes('rel="next"');
          return { ok: true, status: page.status, data: items, truncated: more };
        }
      }
      return { ok: true, status: 200, data: items, truncated: false };
    } catch (error) {
      return failure(error);
    }
  }

  private raw: RawRequest = async (route, params) => {
    const request = this.octokit.request as unknown as RawRequest;
    return request(route, params);
  };

  /**
   * The transport: refuses requests past the budget or to another origin (a `Link` header from
   * the server could name any URL, and the token goes with every request), times each request
   * out, and reads at most `maxResponseBytes` of the body.
   */
  private readonly boundedFetch = async (
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (url.origin !== this.origin || !url.pathname.startsWith(`${this.basePath}/`)) {
      throw new BudgetError(`refused a request outside the API root (${url.origin})`);
    }
    this.requests++;
    if (this.requests > this.budget.maxRequests) {
      throw new BudgetError(`request budget of ${this.budget.maxRequests} spent`);
    }
    const response = await fetch(url, {
      ...init,
      redirect: 'error',
      signal: AbortSignal.timeout(this.budget.timeoutMs),
    });
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > this.budget.maxResponseBytes) {
      await response.body?.cancel();
      throw new BudgetError(`response of ${declared} bytes exceeds the cap`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (response.body !== null) {
      const reader = response.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
      for (;;) {
        const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
        const value = chunk.value;
        if (chunk.done || value === undefined) break;
        total += value.byteLength;
        if (total > this.budget.maxResponseBytes) {
          await reader.cancel();
          throw new BudgetError(`response exceeds ${this.budget.maxResponseBytes} bytes`);
        }
        chunks.push(value);
      }
    }
    const empty = response.status === 204 || response.status === 205 || response.status === 304;
    const bounded = new Response(empty ? null : Buffer.concat(chunks), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    // Octokit's paginator reads the response URL; a constructed Response has none of its own.
    Object.defineProperty(bounded, 'url', { value: response.url });
    return bounded;
  };

  /** Milliseconds to wait before retrying, or undefined to give up. */
  private retryDelay(error: unknown, attempt: number): number | undefined {
    if (attempt >= this.budget.maxRetries) return undefined;
    if (causeOf(error) instanceof BudgetError) return undefined;
    const status = (error as { status?: unknown }).status;
    const headers =
      (error as { response?: { headers?: Record<string, string | undefined> } }).response
        ?.headers ?? {};
    if (typeof status !== 'number') return undefined;
    // Octokit reports a transport failure (refused, reset, timed out) as status 500 with no
    // response: retried like a server error, but named for what it is in logs and reports.
    let wait: number | undefined;
    if (status === 403 || status === 429) {
      const retryAfter = headers['retry-after'];
      if (retryAfter !== undefined && /^\d{1,6}$/.test(retryAfter)) {
        // The secondary rate limit names its own wait.
        wait = Number(retryAfter) * 1000;
      } else if (headers['x-ratelimit-remaining'] === '0') {
        const reset = Number(headers['x-ratelimit-reset']);
        wait = Number.isFinite(reset) ? Math.max(0, reset * 1000 - Date.now()) + 1000 : undefined;
      } else if (status === 429) {
        wait = 60_000;
      }
    } else if (status >= 500 && status <= 599) {
      wait = 500 * 2 ** attempt;
    }
    if (wait === undefined || wait > this.budget.maxWaitMs) return undefined;
    return wait;
  }
}

function withVersion(params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...params, headers: { 'x-github-api-version': API_VERSION } };
}

function malformed(reason: string): ApiResult<never> {
  return { ok: false, code: 'MALFORMED', status: undefined, reason };
}

function causeOf(error: unknown): unknown {
  return error instanceof BudgetError ? error : (error as { cause?: unknown } | null)?.cause;
}

/** Classifies any error from a read into an ApiResult failure. */
function failure(error: unknown): ApiResult<never> {
  const cause = causeOf(error);
  if (cause instanceof BudgetError) {
    return { ok: false, code: 'BUDGET', status: undefined, reason: cause.message };
  }
  const status = (error as { status?: unknown } | null)?.status;
  const hasResponse = (error as { response?: unknown } | null)?.response !== undefined;
  if (typeof status === 'number' && hasResponse) {
    return { ok: false, code: 'HTTP', status, reason: describeError(error) };
  }
  if (error instanceof TypeError || error instanceof SyntaxError) {
    return malformed(`unexpected response shape (${oneLine(error.message)})`);
  }
  return {
    ok: false,
    code: 'NETWORK',
    status: undefined,
    reason: oneLine((error as Error | null)?.message ?? String(error)),
  };
}

function describeError(error: unknown): string {
  const hasResponse = (error as { response?: unknown }).response !== undefined;
  const status = hasResponse ? (error as { status?: unknown }).status : 'network error:';
  const data = (error as { response?: { data?: unknown } }).response?.data;
  const message =
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { message?: unknown }).message === 'string'
      ? (data as { message: string }).message
      : (error as Error).message;
  return `${typeof status === 'number' || typeof status === 'string' ? `${status} ` : ''}${oneLine(message)}`;
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
