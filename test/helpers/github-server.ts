import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a route answers: JSON (serialised here) or raw text, with status and extra headers. */
export interface Reply {
  readonly status?: number;
  readonly json?: unknown;
  /** Raw body (malformed JSON, a truncated page …); sent as application/json unless overridden. */
  readonly raw?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Announce the whole body's length but send only half of it, then drop the connection. */
  readonly cut?: boolean;
}

/** A route handler: the parsed URL, the request, and a 0-based call count for this route. */
export type Route = (url: URL, req: IncomingMessage, call: number) => Reply;

/** One request the server saw. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authorization: string | undefined;
  readonly apiVersion: string | undefined;
}

/**
 * A local HTTP server that plays GitHub's REST API: routes by method and path (without query),
 * JSON bodies with GitHub's headers, 404 `{"message":"Not Found"}` for anything unrouted (as
 * GitHub answers), and a log of every request. Listens on 127.0.0.1, port 0.
 */
export class FakeGitHub {
  readonly seen: SeenRequest[] = [];
  private readonly routes = new Map<string, Route>();
  private readonly calls = new Map<string, number>();
  private server: Server | undefined;
  /** Base URL of the API root, set by start(); `prefix` mimics GitHub Enterprise's /api/v3. */
  url = '';

  constructor(private readonly prefix = '') {}

  /** Sets the reply of `GET path` (replacing an earlier one). */
  on(path: string, route: Route | Reply, method = 'GET'): this {
    this.routes.set(`${method} ${path}`, typeof route === 'function' ? route : () => route);
    // A route set anew counts its calls from zero.
    this.calls.delete(`${method} ${path}`);
    return this;
  }

  /** Removes a route (it then answers 404 Not Found). */
  off(path: string, method = 'GET'): this {
    this.routes.delete(`${method} ${path}`);
    return this;
  }

  /** Requests whose path (without the API prefix) equals `path`. */
  hits(path: string): number {
    return this.seen.filter((r) => r.path === path).length;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${this.prefix}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    let path = decodeURIComponent(url.pathname);
    if (this.prefix !== '') {
      if (!path.startsWith(this.prefix)) {
        this.send(res, { status: 404, json: notFound() });
        return;
      }
      path = path.slice(this.prefix.length);
    }
    const method = req.method ?? 'GET';
    this.seen.push({
      method,
      path,
      query: url.search,
      authorization: req.headers.authorization,
      apiVersion: req.headers['x-github-api-version'] as string | undefined,
    });
    const key = `${method} ${path}`;
    const route = this.routes.get(key);
    const call = this.calls.get(key) ?? 0;
    this.calls.set(key, call + 1);
    this.send(res, route === undefined ? { status: 404, json: notFound() } : route(url, req, call));
  }

  private send(res: ServerResponse, reply: Reply): void {
    const body = reply.raw ?? JSON.stringify(reply.json ?? null);
    res.writeHead(reply.status ?? 200, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...(reply.cut === true ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
      ...reply.headers,
    });
    if (reply.cut === true) {
      // A transfer that stops half-way: the announced length never arrives.
      res.write(body.slice(0, Math.floor(body.length / 2)));
      res.socket?.destroy();
      return;
    }
    res.end(body);
  }
}

/** GitHub's 404 body. */
export function notFound(): unknown {
  return {
    message: 'Not Found',
    documentation_url: 'https://docs.github.com/rest',
    status: '404',
  };
}

/** GitHub's 403 body for a token without the needed permission. */
export function forbidden(): Reply {
  return {
    status: 403,
    json: {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest',
      status: '403',
    },
  };
}

/**
 * A paginated list: `items` cut into pages of `perPage`, with GitHub's `Link` header, optionally
 * wrapped as `{ total_count, [key]: page }` the way runners, secrets and environments are.
 */
export function paged(
  items: readonly unknown[],
  options: { perPage?: number; key?: string } = {},
): Route {
  const perPage = options.perPage ?? 100;
  return (url) => {
    const page = Number(url.searchParams.get('page') ?? '1');
    const pages = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const links: string[] = [];
    const at = (n: number): string => {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(n));
      return `<${next.toString()}>`;
    };
    if (page < pages) links.push(`${at(page + 1)}; rel="next"`, `${at(pages)}; rel="last"`);
    if (page > 1) links.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
    return {
      json: options.key === undefined ? slice : { total_count: items.length, [options.key]: slice },
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  };
}
