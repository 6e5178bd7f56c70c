import { exchange } from './exchange.js';
import { SERVICES, type ServiceId } from './services.js';

/** What one GET showed about an HTTP endpoint. */
export interface HttpProbe {
  readonly kind: 'identified' | 'http' | 'not-http' | 'closed' | 'unreachable' | 'silent';
  /** The service recognised from the answer (only when kind is 'identified'). */
  readonly service?: ServiceId;
  /** True: the service answered a read without credentials; false: it asked for them. */
  readonly unauthenticatedRead?: boolean;
  readonly status?: number;
  /** The path of the GET sent. */
  readonly path: string;
  /** A version the service reported, when it did. */
  readonly version?: string;
  readonly connectError?: string;
  readonly elapsedMs: number;
}

// Enough for a status line, headers and the start of a small JSON body; a longer answer is cut
// here (a 10 GB answer costs 16 KiB).
const MAX_HTTP_BYTES = 16 * 1024;

/**
 * Sends one read-only `GET path` (HTTP/1.1, `Connection: close`) to `host:port` and names the
 * service from the answer, expecting `expected` (or any known service when undefined). Reads at
 * most 16 KiB within `timeoutMs`, then closes. Never throws.
 */
export async function probeHttp(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
  expected?: ServiceId,
): Promise<HttpProbe> {
  const hostHeader = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const request = new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: torchward-probe\r\nAccept: application/json\r\nConnection: close\r\n\r\n`,
  );
  const result = await exchange({
    host,
    port,
    send: request,
    expect: MAX_HTTP_BYTES,
    maxBytes: MAX_HTTP_BYTES,
    timeoutMs,
  });
  const base = { path, elapsedMs: result.elapsedMs };
  if (result.end === 'no-connection') {
    return {
      ...base,
      kind: result.connectError === 'refused' ? 'closed' : 'unreachable',
      ...(result.connectError === undefined ? {} : { connectError: result.connectError }),
    };
  }
  if (result.received.length === 0) return { ...base, kind: 'silent' };
  const response = parseResponse(result.received);
  if (response === undefined) return { ...base, kind: 'not-http' };
  const found = identify(response, expected);
  if (found === undefined) return { ...base, kind: 'http', status: response.status };
  return {
    ...base,
    kind: 'identified',
    service: found.service,
    unauthenticatedRead: found.open,
    status: response.status,
    ...(found.version === undefined ? {} : { version: found.version }),
  };
}

interface Response {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

function parseResponse(bytes: Uint8Array): Response | undefined {
  const text = new TextDecoder('latin1').decode(bytes);
  const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (statusLine === null) return undefined;
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? text : text.slice(0, headEnd);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = headEnd < 0 ? '' : text.slice(headEnd + 4);
  // A chunked body of a small JSON answer is one chunk: drop the size line so JSON.parse sees it.
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
    const size = /^([0-9a-fA-F]+)\r\n/.exec(body);
    if (size !== null)
      body = body.slice(size[0].length, size[0].length + parseInt(size[1] ?? '0', 16));
  }
  return { status: Number(statusLine[1]), headers, body };
}

function json(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 64) : undefined;
}

/**
 * Names the service from the answer to its identifying GET. `open` says whether the read was
 * served without credentials; auth answers (401/403) are recognised by the service's own markers.
 */
function identify(
  response: Response,
  expected: ServiceId | undefined,
): { service: ServiceId; open: boolean; version?: string } | undefined {
  const body = json(response.body);
  const ok = response.status === 200;
  const denied = response.status === 401 || response.status === 403;
  const server = response.headers.get('server') ?? '';
  const auth = response.headers.get('www-authenticate') ?? '';
  const want = (id: ServiceId): boolean => expected === undefined || expected === id;
  if (want('ray-dashboard')) {
    // GET /api/version: {"version": "...", "ray_version": "2.x", "ray_commit": "..."}
    if (ok && body !== undefined && typeof body.ray_version === 'string') {
      return withVersion('ray-dashboard', true, str(body.ray_version));
    }
  }
  if (want('torchserve-management')) {
    // GET /models: {"models": [{"modelName": ..., "modelUrl": ...}]}; with token authorization
    // on, {"code": 400|401, "type": "InvalidKeyException", "message": "Token Authorization failed…"}
    if (ok && body !== undefined && Array.isArray(body.models)) {
      return { service: 'torchserve-management', open: true };
    }
    if (
      body !== undefined &&
      typeof body.type === 'string' &&
      /Token Authorization/i.test(String(body.message))
    ) {
      return { service: 'torchserve-management', open: false };
    }
  }
  if (want('jupyter')) {
    // GET /api/status: {"started": ..., "last_activity": ..., "connections": n, "kernels": n};
    // 403 from Tornado when a token or password is set.
    if (ok && body !== undefined && 'last_activity' in body && 'kernels' in body) {
      return { service: 'jupyter', open: true };
    }
    if (denied && /Tornado/i.test(server)) return { service: 'jupyter', open: false };
  }
  if (want('mlflow')) {
    // GET experiments/search: {"experiments": [...]} (or {} with none); basic auth answers 401
    // with `WWW-Authenticate: Basic realm="mlflow"`.
    const searched =
      body !== undefined &&
      (Array.isArray(body.experiments) ||
        (expected === 'mlflow' && Object.keys(body).length === 0));
    if (ok && searched) return { service: 'mlflow', open: true };
    if (denied && /mlflow/i.test(auth)) return { service: 'mlflow', open: false };
  }
  if (want('tensorboard')) {
    // GET /data/environment: {"data_location": ..., "window_title": ..., "version": "2.x"}
    if (ok && body !== undefined && 'data_location' in body) {
      return withVersion('tensorboard', true, str(body.version));
    }
  }
  return undefined;
}

function withVersion(
  service: ServiceId,
  open: boolean,
  version: string | undefined,
): { service: ServiceId; open: boolean; version?: string } {
  return version === undefined ? { service, open } : { service, open, version };
}

/** The identifying path of an HTTP service. */
export function pathOf(service: ServiceId): string {
  return SERVICES[service].path ?? '/';
}
