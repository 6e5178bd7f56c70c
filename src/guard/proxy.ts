import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GuardConfig } from './config.js';
import { applyCuts, findFilterCuts } from './filter.js';
import { guard } from './guard.js';
import type { GuardMode, GuardResult } from './types.js';

/** What the proxy does with a request whose user or tool content is flagged. */
export type ProxyPolicy = 'block' | 'annotate';

/** Options of `startGuardProxy`. */
export interface GuardProxyOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Base URL the request path is appended to, e.g. http://127.0.0.1:8000. */
  readonly upstream: string;
  readonly config: GuardConfig;
  readonly mode?: GuardMode;
  readonly policy: ProxyPolicy;
  /** Largest request body accepted (default 8 MiB). */
  readonly maxBodyBytes?: number;
  /** Upstream time budget per request in milliseconds (default 120 s). */
  readonly timeoutMs?: number;
  /**
   * Redaction of outbound untrusted text (user and tool messages, prompts), applied after
   * sanitising and before the request goes upstream: the CLI passes torchward redact's
   * redactor (`guard proxy --redact MODE`), so personal data and secrets do not reach the model.
   */
  readonly redact?: (text: string) => string;
}

/** A running proxy. */
export interface GuardProxy {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const GUARDED_PATHS = new Set([
  '/v1/chat/completions',
  '/v1/completions',
  '/chat/completions',
  '/completions',
]);
// Roles whose content comes from outside the application: the user, tool and function results.
// System and assistant messages are the application's own.
const UNTRUSTED_ROLES = new Set(['user', 'tool', 'function']);

/**
 * Starts an OpenAI-compatible HTTP proxy in front of `upstream`. For chat completions and
 * completions it sanitises and scores every user/tool message (or prompt) with `guard`, refuses
 * the request (policy `block`, HTTP 400 with an OpenAI-style error) or forwards the sanitised
 * text (policy `annotate`, with `x-torchward-guard-*` response headers); it then checks the
 * response, streamed (SSE) or not, for the configured canaries and for image/link exfiltration,
 * and redacts or cuts off what it finds. Other paths are forwarded unchanged.
 */
export async function startGuardProxy(options: GuardProxyOptions): Promise<GuardProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:')
    throw new TypeError('upstream must be an http or https URL');
  const server = createServer((req, res) => {
    handle(req, res, upstream, options).catch((error: unknown) => {
      sendError(res, 502, 'upstream_error', `torchward guard proxy: ${String(error)}`);
    });
  });
  server.requestTimeout = options.timeoutMs ?? 120_000;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => {
      server.off('error', fail);
      done();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    server,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          done();
        });
        server.closeAllConnections();
      }),
  };
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra?: unknown,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({
    error: {
      message,
      type: 'invalid_request_error',
      param: null,
      code,
      ...(extra === undefined ? {} : { torchward_guard: extra }),
    },
  });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    n += b.length;
    if (n > max) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** A text slot in a request body: where it is and how to write the sanitised text back. */
interface Slot {
  readonly where: string;
  readonly text: string;
  set(value: string): void;
}

/** The untrusted text slots of a chat or completions request body. */
function slots(body: Record<string, unknown>): Slot[] {
  const out: Slot[] = [];
  const messages = body.messages;
  if (Array.isArray(messages)) {
    messages.forEach((m: unknown, i) => {
      if (typeof m !== 'object' || m === null) return;
      const msg = m as Record<string, unknown>;
      if (typeof msg.role !== 'string' || !UNTRUSTED_ROLES.has(msg.role)) return;
      const content = msg.content;
      if (typeof content === 'string') {
        out.push({ where: `messages[${i}]`, text: content, set: (v) => (msg.content = v) });
      } else if (Array.isArray(content)) {
        content.forEach((p: unknown, j) => {
          if (typeof p !== 'object' || p === null) return;
          const part = p as Record<string, unknown>;
          if (part.type === 'text' && typeof part.text === 'string')
            out.push({
              where: `messages[${i}].content[${j}]`,
              text: part.text,
              set: (v) => (part.text = v),
            });
        });
      }
    });
  }
  const prompt = body.prompt;
  if (typeof prompt === 'string')
    out.push({ where: 'prompt', text: prompt, set: (v) => (body.prompt = v) });
  else if (Array.isArray(prompt)) {
    prompt.forEach((p: unknown, i) => {
      if (typeof p === 'string')
        out.push({ where: `prompt[${i}]`, text: p, set: (v) => (prompt[i] = v) });
    });
  }
  return out;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: URL,
  options: GuardProxyOptions,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const target = new URL(upstream.pathname.replace(/\/$/, '') + (req.url ?? '/'), upstream);
  const raw = await readBody(req, options.maxBodyBytes ?? 8 * 1024 * 1024);
  if (raw === undefined) {
    sendError(res, 413, 'request_too_large', 'request body is over the proxy limit');
    return;
  }
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  for (const h of [
    'authorization',
    'content-type',
    'accept',
    'openai-organization',
    'openai-project',
  ]) {
    const v = req.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  if (req.method !== 'POST' || !GUARDED_PATHS.has(path)) {
    const up = await fetch(target, {
      method: req.method ?? 'GET',
      headers,
      ...(raw.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? { body: raw } : {}),
    });
    res.writeHead(up.status, {
      'content-type': up.headers.get('content-type') ?? 'application/octet-stream',
    });
    res.end(await readResponse(up));
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    sendError(res, 400, 'invalid_json', 'request body is not JSON');
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    sendError(res, 400, 'invalid_request', 'request body is not a JSON object');
    return;
  }
  const b = body as Record<string, unknown>;
  const verdicts: { where: string; result: GuardResult }[] = [];
  const redacted: string[] = [];
  for (const slot of slots(b)) {
    const result = guard(slot.text, {
      config: options.config,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
    });
    verdicts.push({ where: slot.where, result });
    const clean = result.sanitized ?? slot.text;
    const out = options.redact === undefined ? clean : options.redact(clean);
    if (out !== clean) redacted.push(slot.where);
    if (out !== slot.text) slot.set(out);
  }
  const flagged = verdicts.filter((v) => v.result.flagged);
  const top = Math.max(0, ...verdicts.map((v) => v.result.score));
  const summary = flagged.map((v) => ({
    where: v.where,
    score: Number(v.result.score.toFixed(4)),
    findings: v.result.findings.map((f) => f.code),
  }));
  if (flagged.length > 0 && options.policy === 'block') {
    sendError(
      res,
      400,
      'prompt_injection_detected',
      `torchward guard flagged ${flagged.map((v) => v.where).join(', ')}`,
      summary,
    );
    return;
  }
  const guardHeaders: Record<string, string> = {
    'x-torchward-guard-flagged': String(flagged.length > 0),
    'x-torchward-guard-score': top.toFixed(4),
  };
  if (flagged.length > 0)
    guardHeaders['x-torchward-guard-flagged-at'] = flagged.map((v) => v.where).join(',');
  if (redacted.length > 0) guardHeaders['x-torchward-guard-redacted-at'] = redacted.join(',');
  headers['content-type'] = 'application/json';
  const up = await fetch(target, {
    method: 'POST',
    headers,
    body: JSON.stringify(b),
    signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
  });
  const type = up.headers.get('content-type') ?? '';
  if (type.includes('text/event-stream') && up.body !== null) {
    res.writeHead(up.status, {
      ...guardHeaders,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
    });
    await relayStream(up.body, res, options);
    return;
  }
  const text = (await readResponse(up)).toString('utf8');
  const checked = checkResponseJson(text, options);
  res.writeHead(up.status, {
    ...guardHeaders,
    ...checked.headers,
    'content-type': type || 'application/json',
  });
  res.end(checked.body);
}

// A non-streamed upstream response is read whole to check it: bound it.
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Reads an upstream response body, refusing one over MAX_RESPONSE_BYTES. */
async function readResponse(up: Response): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  if (up.body === null) return Buffer.alloc(0);
  for await (const piece of up.body as AsyncIterable<Uint8Array>) {
    const chunk: Uint8Array = piece;
    n += chunk.byteLength;
    if (n > MAX_RESPONSE_BYTES) throw new Error('upstream response is over the proxy limit');
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The output problems of one text: canaries present and exfiltration cuts. */
function outputIssues(
  text: string,
  config: GuardConfig,
): { canaries: string[]; cleaned: string; codes: string[] } {
  const canaries = config.canaries.filter((c) => text.includes(c));
  let cleaned = text;
  for (const c of canaries) cleaned = cleaned.split(c).join('[REDACTED]');
  const cuts = findFilterCuts(cleaned, config.filter.allowHosts).filter(
    (c) =>
      c.code === 'filter/image-exfiltration' ||
      c.code === 'filter/link-exfiltration' ||
      c.code === 'filter/html-script',
  );
  cleaned = applyCuts(cleaned, cuts);
  return {
    canaries,
    cleaned,
    codes: [...(canaries.length > 0 ? ['canary-leak'] : []), ...new Set(cuts.map((c) => c.code))],
  };
}

function checkResponseJson(
  text: string,
  options: GuardProxyOptions,
): { body: string; headers: Record<string, string> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { body: text, headers: {} };
  }
  const codes = new Set<string>();
  const choices = (value as { choices?: unknown } | null)?.choices;
  if (Array.isArray(choices)) {
    for (const ch of choices as Record<string, unknown>[]) {
      const msg = ch.message as Record<string, unknown> | undefined;
      if (msg !== undefined && typeof msg.content === 'string') {
        const r = outputIssues(msg.content, options.config);
        r.codes.forEach((c) => codes.add(c));
        msg.content = r.cleaned;
      }
      if (typeof ch.text === 'string') {
        const r = outputIssues(ch.text, options.config);
        r.codes.forEach((c) => codes.add(c));
        ch.text = r.cleaned;
      }
    }
  }
  if (codes.size === 0) return { body: text, headers: {} };
  return {
    body: JSON.stringify(value),
    headers: { 'x-torchward-guard-response': [...codes].join(',') },
  };
}

/**
 * Relays an SSE stream event by event, assembling the content deltas. Events are held back while
 * the assembled text ends in what could still become a canary or an unfinished markdown image,
 * so a leak split across chunks is caught before its last piece is sent; on a leak the stream
 * ends with an error event and `[DONE]` instead of the rest.
 */
async function relayStream(
  body: ReadableStream<Uint8Array>,
  res: ServerResponse,
  options: GuardProxyOptions,
): Promise<void> {
  const decoder = new TextDecoder();
  const maxCanary = Math.max(0, ...options.config.canaries.map((c) => c.length));
  let buffer = '';
  // Only the tail of the assembled text is kept and rescanned per event: anything earlier was
  // checked when it arrived, and a canary or image that ends now starts within the window (the
  // filter's patterns span at most a few KiB). Rescanning everything would be quadratic.
  const window = Math.max(16 * 1024, 2 * maxCanary);
  let tail = '';
  let total = 0;
  const held: { event: string; end: number }[] = [];
  let stopped = false;
  const release = (final: boolean): void => {
    let safeTo = total - Math.max(0, maxCanary - 1);
    const openImage = tail.lastIndexOf('![');
    if (openImage >= 0 && !tail.includes(')', openImage))
      safeTo = Math.min(safeTo, total - tail.length + openImage);
    while (held.length > 0 && (final || (held[0]?.end ?? 0) <= safeTo))
      res.write(held.shift()?.event ?? '');
  };
  const stop = (codes: string[]): void => {
    held.length = 0;
    const err = JSON.stringify({
      error: {
        message: `torchward guard stopped the response: ${codes.join(', ')}`,
        type: 'server_error',
        code: 'guard_response_blocked',
      },
    });
    res.write(`data: ${err}\n\ndata: [DONE]\n\n`);
  };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let sep: number;
    while ((sep = buffer.indexOf('\n\n')) >= 0) {
      const event = `${buffer.slice(0, sep)}\n\n`;
      buffer = buffer.slice(sep + 2);
      const delta = deltaText(event);
      total += delta.length;
      tail = (tail + delta).slice(-window);
      held.push({ event, end: total });
      const issues = outputIssues(tail, options.config);
      if (issues.codes.length > 0) {
        stop(issues.codes);
        stopped = true;
        break;
      }
      release(false);
    }
    if (stopped) break;
  }
  if (!stopped) {
    if (buffer.length > 0) held.push({ event: buffer, end: total });
    release(true);
  }
  res.end();
}

/** The text an SSE event adds: chat `choices[].delta.content` or completions `choices[].text`. */
function deltaText(event: string): string {
  let out = '';
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]' || data === '') continue;
    try {
      const v = JSON.parse(data) as {
        choices?: { delta?: { content?: unknown }; text?: unknown }[];
      };
      for (const c of v.choices ?? []) {
        if (typeof c.delta?.content === 'string') out += c.delta.content;
        if (typeof c.text === 'string') out += c.text;
      }
    } catch {
      // not JSON: nothing to assemble
    }
  }
  return out;
}
