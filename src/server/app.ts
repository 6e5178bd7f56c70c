import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { KeyRing } from './keys.js';
import { Metrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import type { QueueHealth, ScanQueue } from './queue.js';
import { HubError } from '../hub/client.js';
import type { HubFetcher } from './hub-fetch.js';
import { hubErrorStatus, openReference } from './references.js';
import { FetchRefusedError } from './ssrf.js';
import {
  MismatchError,
  SHA256_ID,
  TooLargeError,
  type ContentStore,
  type Stored,
} from './store.js';

/** Everything the HTTP API needs. */
export interface AppOptions {
  readonly store: ContentStore;
  readonly queue: ScanQueue;
  /** Accepted API keys for POST; undefined only with `noAuth` (then writes are open). */
  readonly keys?: KeyRing;
  readonly noAuth?: boolean;
  /** Largest artifact accepted, uploaded or fetched. */
  readonly maxUploadBytes: number;
  /** Let URL references reach loopback (tests; `--allow-loopback-urls`). */
  readonly allowLoopbackUrls?: boolean;
  /** The Hugging Face Hub `hf://` references are fetched from; without it they are refused. */
  readonly hub?: HubFetcher;
  /** The built web page (dist/web); the page answers 503 when it is absent. */
  readonly webRoot: string;
  /** A request (upload included) must complete within this; slow clients are cut off. */
  readonly requestTimeoutMs?: number;
  readonly version: string;
}

/** A refusal the API answers with `{ error, message }`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATIC: Readonly<Record<string, string>> = {
  'page.js': 'text/javascript; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
  'worker.js': 'text/javascript; charset=utf-8',
  'rules.json': 'application/json; charset=utf-8',
};

// The page runs only its own scripts; the worker is same-origin; nothing is framed.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// URL references refused before any byte was fetched (counted in the metrics).
const REFUSALS = new Set(['BAD_URL', 'BLOCKED_ADDRESS', 'NOT_SUPPORTED']);

/** How long one /healthz check of the queue and result store may wait for each. */
const HEALTH_TIMEOUT_MS = 1000;
/** How long a finished check answers /healthz before the next one starts. */
const HEALTH_TTL_MS = 1000;

/**
 * The queue's health, checked at most once at a time and reused for HEALTH_TTL_MS after it
 * finished: however often /healthz is polled (load balancers, a busy machine), the stores see
 * about one check a second and never a pile of waiting ones.
 */
function cachedHealth(queue: ScanQueue): () => Promise<QueueHealth> {
  let current: Promise<QueueHealth> | undefined;
  let finishedAt = Number.POSITIVE_INFINITY;
  return () => {
    if (current === undefined || Date.now() - finishedAt >= HEALTH_TTL_MS) {
      finishedAt = Number.POSITIVE_INFINITY;
      const check = queue.health(HEALTH_TIMEOUT_MS).finally(() => {
        if (current === check) finishedAt = Date.now();
      });
      current = check;
    }
    return current;
  };
}

/** Builds the service (not listening yet). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const requestTimeout = options.requestTimeoutMs ?? 15 * 60_000;
  const app = Fastify({
    bodyLimit: 64 * 1024,
    requestTimeout,
    // A connection silent this long is closed (a client that stopped mid-upload).
    connectionTimeout: Math.min(requestTimeout, 60_000),
    // node checks request deadlines every connectionsCheckingInterval (30 s by default): check
    // often enough that a slow client is cut off near its deadline.
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout,
          headersTimeout: Math.min(requestTimeout, 30_000),
          connectionsCheckingInterval: Math.max(250, Math.min(5_000, requestTimeout / 4)),
        },
        handler,
      ),
    // Artifacts are content: never log request bodies; access logs are off by default.
    logger: false,
  });
  const metrics = new Metrics();
  await app.register(multipart, {
    limits: {
      // One byte over, so the store sees the excess and refuses it (413) instead of a truncation.
      fileSize: options.maxUploadBytes + 1,
      files: 1,
      fields: 4,
      fieldSize: 1024,
      parts: 6,
      headerPairs: 50,
    },
  });

  app.addHook('onResponse', (req, reply, done) => {
    metrics.request(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode);
    done();
  });

  app.setErrorHandler((error: unknown, _req, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.status).send({ error: error.code, message: error.message });
    }
    const e = error as { statusCode?: number; code?: string; message?: string };
    const status = typeof e.statusCode === 'number' && e.statusCode >= 400 ? e.statusCode : 500;
    const code =
      status === 413 ? 'TOO_LARGE' : status === 500 ? 'INTERNAL' : (e.code ?? 'BAD_REQUEST');
    return reply.code(status).send({
      error: code,
      message: status === 500 ? 'internal error' : (e.message ?? 'bad request'),
    });
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ error: 'NOT_FOUND', message: 'no such endpoint' }),
  );

  const requireKey = (req: FastifyRequest): void => {
    if (options.noAuth === true) return;
    if (options.keys?.accepts(req.headers.authorization) !== true) {
      throw new ApiError(401, 'UNAUTHORIZED', 'send Authorization: Bearer <API key>');
    }
  };

  const pageHtml = async (reply: FastifyReply): Promise<FastifyReply> => {
    let html: string;
    try {
      html = await readFile(join(options.webRoot, 'index.html'), 'utf8');
    } catch {
      return reply.code(503).send({
        error: 'NO_WEB_BUNDLE',
        message: 'the web page was not built (npm run build)',
      });
    }
    return reply
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(html);
  };

  app.get('/', (_req, reply) => pageHtml(reply));
  app.get('/scans/:id', (_req, reply) => pageHtml(reply));
  app.get('/static/*', async (req, reply) => {
    const name = (req.params as { '*': string })['*'];
    const chunk = /^chunks\/[\w-]+\.js$/.test(name);
    const type = STATIC[name] ?? (chunk ? 'text/javascript; charset=utf-8' : undefined);
    if (type === undefined) throw new ApiError(404, 'NOT_FOUND', 'no such file');
    let body: Buffer;
    try {
      body = await readFile(join(options.webRoot, name));
    } catch {
      throw new ApiError(404, 'NOT_FOUND', 'no such file');
    }
    return reply.type(type).header('x-content-type-options', 'nosniff').send(body);
  });

  const health = cachedHealth(options.queue);
  app.get('/healthz', async (_req, reply) => {
    const { queue, store } = await health();
    if (queue && store.reachable) return reply.send({ status: 'ok', queue, store });
    const reasons = [
      ...(queue ? [] : ['the queue (Redis) does not answer']),
      ...(store.reachable
        ? []
        : [`the result store (${store.kind}) cannot be reached: ${store.error ?? 'UNREACHABLE'}`]),
    ];
    return reply.code(503).send({ status: 'degraded', queue, store, reason: reasons.join('; ') });
  });
  app.get('/metrics', async (_req, reply) => {
    let counts;
    try {
      counts = await options.queue.counts();
    } catch {
      counts = undefined;
    }
    return reply.type('text/plain; version=0.0.4').send(metrics.render(counts));
  });
  app.get('/openapi.json', () => openApiDocument(options.version));

  app.post('/v1/scans', async (req, reply) => {
    requireKey(req);
    let stored: Stored;
    if (req.isMultipart()) {
      stored = await storeUpload(req, options);
    } else if (/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      const url = (req.body as { url?: unknown } | null)?.url;
      if (typeof url !== 'string' || url.length > 4096) {
        throw new ApiError(400, 'BAD_REQUEST', 'the JSON body needs a "url" string');
      }
      try {
        stored = await storeUrl(url, options);
      } catch (error) {
        if (error instanceof ApiError && REFUSALS.has(error.code)) metrics.refusedUrls++;
        throw error;
      }
    } else {
      throw new ApiError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'send multipart/form-data with a "file" part, or application/json with a "url"',
      );
    }
    metrics.uploadedBytes += stored.size;
    metrics.submitted++;
    const status = await options.queue.submit(stored.sha256);
    return reply.code(202).send({
      id: stored.sha256,
      status,
      size: stored.size,
      links: {
        self: `/v1/scans/${stored.sha256}`,
        sarif: `/v1/scans/${stored.sha256}/sarif`,
        page: `/scans/${stored.sha256}`,
      },
    });
  });

  app.get('/v1/scans/:id', async (req) => {
    const id = checkId((req.params as { id: string }).id);
    const record = await options.queue.get(id);
    if (record === undefined) throw new ApiError(404, 'NOT_FOUND', `no scan ${id}`);
    return {
      id,
      status: record.status,
      ...(record.result === undefined
        ? {}
        : { verdict: record.result.verdict, report: JSON.parse(record.result.json) as unknown }),
      ...(record.error === undefined || record.status === 'done' ? {} : { error: record.error }),
      ...(record.attempts === undefined ? {} : { attempts: record.attempts }),
    };
  });

  app.get('/v1/scans/:id/sarif', async (req, reply) => {
    const id = checkId((req.params as { id: string }).id);
    const record = await options.queue.get(id);
    if (record === undefined) throw new ApiError(404, 'NOT_FOUND', `no scan ${id}`);
    if (record.result === undefined) {
      throw new ApiError(409, 'NOT_FINISHED', `scan ${id} is ${record.status}`);
    }
    return reply.type('application/sarif+json').send(record.result.sarif);
  });

  return app;
}

function checkId(id: string): string {
  if (!SHA256_ID.test(id)) {
    throw new ApiError(400, 'BAD_ID', 'a scan id is the artifact SHA-256: 64 lowercase hex digits');
  }
  return id;
}

async function storeUpload(req: FastifyRequest, options: AppOptions): Promise<Stored> {
  let part;
  try {
    part = await req.file();
  } catch (error) {
    throw multipartError(error);
  }
  if (part === undefined) throw new ApiError(400, 'BAD_MULTIPART', 'no "file" part in the body');
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw new ApiError(400, 'BAD_MULTIPART', `expected the part "file", got "${part.fieldname}"`);
  }
  try {
    return await options.store.ingest(part.file, options.maxUploadBytes);
  } catch (error) {
    throw multipartError(error);
  }
}

function multipartError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TooLargeError) return new ApiError(413, 'TOO_LARGE', error.message);
  const e = error as { statusCode?: number; code?: string; message?: string };
  if (e.statusCode === 413 || e.code === 'FST_REQ_FILE_TOO_LARGE') {
    return new ApiError(413, 'TOO_LARGE', 'the artifact exceeds the upload limit');
  }
  return new ApiError(
    400,
    'BAD_MULTIPART',
    `malformed multipart body: ${e.message ?? 'unreadable'}`,
  );
}

async function storeUrl(reference: string, options: AppOptions): Promise<Stored> {
  let opened;
  try {
    opened = await openReference(reference, {
      guard: options.allowLoopbackUrls === true ? { allowLoopback: true } : {},
      maxBytes: options.maxUploadBytes,
      ...(options.hub === undefined ? {} : { hub: options.hub }),
    });
    return await options.store.ingest(opened.body, options.maxUploadBytes, opened.expect);
  } catch (error) {
    opened?.close();
    if (error instanceof FetchRefusedError) {
      throw new ApiError(error.status, error.code, error.message);
    }
    if (error instanceof HubError) {
      const { status, code } = hubErrorStatus(error);
      throw new ApiError(status, code, error.message);
    }
    if (error instanceof MismatchError) throw new ApiError(502, 'HUB_MISMATCH', error.message);
    if (error instanceof TooLargeError) throw new ApiError(413, 'TOO_LARGE', error.message);
    throw new ApiError(502, 'UPSTREAM_ERROR', `fetching the URL failed: ${String(error)}`);
  }
}
