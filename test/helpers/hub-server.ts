import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How one file misbehaves when served. */
export type HubFault = 'status500' | 'truncate' | 'wrong-size' | 'pointer' | 'no-range';

/** The bytes of a file: real content, or a large file made of a real head and zeros. */
export interface HubFileSpec {
  readonly path: string;
  /** Real content (small files). */
  readonly bytes?: Uint8Array;
  /** A virtual file: these bytes first, then zeros up to `size` (never held in memory). */
  readonly head?: Uint8Array;
  readonly size?: number;
  /** Stored in LFS (served through a redirect to the CDN host). */
  readonly lfs?: boolean;
  readonly fault?: HubFault;
}

export interface HubRepoSpec {
  readonly type: 'model' | 'dataset' | 'space';
  readonly id: string;
  /** Branch and tag names → commit. */
  readonly refs: Readonly<Record<string, string>>;
  /** Commit → files. */
  readonly commits: Readonly<Record<string, readonly HubFileSpec[]>>;
  /** Gated: every request needs `Authorization: Bearer <token>`. */
  readonly gatedToken?: string;
}

/** One request a host saw. */
export interface HubRequest {
  readonly host: 'hub' | 'cdn';
  readonly path: string;
  readonly range: string | undefined;
  readonly authorization: string | undefined;
  /** Body bytes sent. */
  sent: number;
}

const TREE_PAGE = 3;
const LFS_VERSION = 'version https://git-lfs.github.com/spec/v1';

function sizeOf(f: HubFileSpec): number {
  return f.bytes?.byteLength ?? f.size ?? 0;
}

function bytesAt(f: HubFileSpec, start: number, end: number): Uint8Array {
  if (f.bytes !== undefined) return f.bytes.subarray(start, end);
  const out = new Uint8Array(end - start);
  const head = f.head ?? new Uint8Array(0);
  if (start < head.byteLength) out.set(head.subarray(start, Math.min(end, head.byteLength)), 0);
  return out;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function pointerText(f: HubFileSpec): string {
  return `${LFS_VERSION}\noid sha256:${lfsOid(f)}\nsize ${sizeOf(f)}\n`;
}

/** The LFS oid: the real SHA-256 for real bytes; a stand-in for virtual files (never checked). */
function lfsOid(f: HubFileSpec): string {
  return f.bytes !== undefined ? sha256(f.bytes) : sha256(f.head ?? new Uint8Array(0));
}

function gitBlobId(b: Uint8Array): string {
  return createHash('sha1').update(`blob ${b.byteLength}\0`).update(b).digest('hex');
}

/**
 * A local Hugging Face Hub: the API shapes huggingface_hub reads (`/api/{type}s/{id}/revision/
 * {rev}` with `sha` and `siblings`; `/api/{type}s/{id}/tree/{rev}?recursive=…` in pages with a
 * `Link: <…>; rel="next"` header, entries `{type, oid, size, path, lfs: {oid, size,
 * pointerSize}}`; `/{prefix}{id}/resolve/{rev}/{path}` answering small files itself and LFS files
 * with a 302 to a second, CDN-like host, with `X-Repo-Commit`, `X-Linked-Size`, `X-Linked-Etag`),
 * errors as the Hub sends them (`X-Error-Code` RepoNotFound/RevisionNotFound/GatedRepo/
 * EntryNotFound with `X-Error-Message`, 401 for unknown repositories), ranged reads (206,
 * `Content-Range`), and per-file faults. Both hosts listen on 127.0.0.1, port 0.
 */
export class FakeHub {
  readonly seen: HubRequest[] = [];
  url = '';
  cdnUrl = '';
  private hub: Server | undefined;
  private cdn: Server | undefined;

  constructor(private readonly repos: readonly HubRepoSpec[]) {}

  async start(): Promise<void> {
    this.hub = createServer((req, res) => {
      this.answerHub(req, res);
    });
    this.cdn = createServer((req, res) => {
      this.answerCdn(req, res);
    });
    for (const [server, set] of [
      [this.hub, (u: string) => (this.url = u)],
      [this.cdn, (u: string) => (this.cdnUrl = u)],
    ] as const) {
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      set(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }
  }

  async stop(): Promise<void> {
    for (const s of [this.hub, this.cdn]) {
      if (s === undefined) continue;
      s.closeAllConnections();
      await new Promise<void>((done) => {
        s.close(() => {
          done();
        });
      });
    }
  }

  /** Bytes the CDN and hub sent for files whose path ends with `suffix`. */
  bytesSentFor(suffix: string): number {
    return this.seen
      .filter((r) => r.path.split('?')[0]?.endsWith(suffix) === true)
      .reduce((n, r) => n + r.sent, 0);
  }

  private log(req: IncomingMessage, host: 'hub' | 'cdn'): HubRequest {
    const entry: HubRequest = {
      host,
      path: req.url ?? '',
      range: req.headers.range,
      authorization: req.headers.authorization,
      sent: 0,
    };
    this.seen.push(entry);
    return entry;
  }

  private error(res: ServerResponse, status: number, code: string | undefined, message: string) {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(code === undefined ? {} : { 'x-error-code': code }),
      'x-error-message': message,
    });
    res.end(JSON.stringify({ error: message }));
  }

  private findRepo(type: string, id: string): HubRepoSpec | undefined {
    return this.repos.find((r) => r.type === type && r.id === id);
  }

  private commitOf(repo: HubRepoSpec, rev: string): string | undefined {
    if (repo.commits[rev] !== undefined) return rev;
    return repo.refs[rev];
  }

  private answerHub(req: IncomingMessage, res: ServerResponse): void {
    const entry = this.log(req, 'hub');
    const url = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname);
    const api =
      /^\/api\/(models|datasets|spaces)\/([^/]+(?:\/[^/]+)?)\/(revision|tree)\/(.+)$/.exec(
        url.pathname,
      );
    if (api !== null) {
      const type = (api[1] ?? '').slice(0, -1);
      const id = decodeURIComponent(api[2] ?? '');
      const rev = decodeURIComponent(api[4] ?? '');
      const repo = this.guard(type, id, req, res);
      if (repo === undefined) return;
      const commit = this.commitOf(repo, rev);
      if (commit === undefined) {
        this.error(res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
        return;
      }
      const files = repo.commits[commit] ?? [];
      if (api[3] === 'revision') {
        const body = JSON.stringify({
          _id: `0000${id}`,
          id,
          ...(type === 'model' ? { modelId: id } : {}),
          author: id.split('/')[0],
          sha: commit,
          lastModified: '2026-01-01T00:00:00.000Z',
          private: false,
          gated: repo.gatedToken === undefined ? false : 'auto',
          disabled: false,
          tags: [],
          siblings: files.map((f) => ({ rfilename: f.path })),
          createdAt: '2025-01-01T00:00:00.000Z',
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
        return;
      }
      const entries: object[] = [];
      const dirs = new Set<string>();
      for (const f of files) {
        const parts = f.path.split('/');
        for (let i = 1; i < parts.length; i++) {
          const d = parts.slice(0, i).join('/');
          if (!dirs.has(d)) {
            dirs.add(d);
            entries.push({
              type: 'directory',
              oid: sha256(Buffer.from(d)).slice(0, 40),
              size: 0,
              path: d,
            });
          }
        }
        if (f.lfs === true) {
          const pointer = Buffer.from(pointerText(f));
          entries.push({
            type: 'file',
            oid: gitBlobId(pointer),
            size: sizeOf(f),
            lfs: { oid: lfsOid(f), size: sizeOf(f), pointerSize: pointer.byteLength },
            path: f.path,
          });
        } else {
          const bytes = f.bytes ?? new Uint8Array(0);
          entries.push({
            type: 'file',
            oid: gitBlobId(bytes),
            size: bytes.byteLength,
            path: f.path,
          });
        }
      }
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      const page = entries.slice(cursor, cursor + TREE_PAGE);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cursor + TREE_PAGE < entries.length) {
        const next = new URL(url.toString());
        next.searchParams.set('cursor', String(cursor + TREE_PAGE));
        headers.link = `<${next.toString()}>; rel="next"`;
      }
      const body = JSON.stringify(page);
      entry.sent += body.length;
      res.writeHead(200, headers);
      res.end(body);
      return;
    }
    const resolve = /^\/(?:(datasets|spaces)\/)?([^/]+(?:\/[^/]+)?)\/resolve\/([^/]+)\/(.+)$/.exec(
      path,
    );
    if (resolve === null) {
      this.error(res, 404, undefined, 'Not Found');
      return;
    }
    const type = resolve[1] === undefined ? 'model' : resolve[1].slice(0, -1);
    const repo = this.guard(type, resolve[2] ?? '', req, res);
    if (repo === undefined) return;
    const commit = this.commitOf(repo, resolve[3] ?? '');
    if (commit === undefined) {
      this.error(res, 404, 'RevisionNotFound', `Invalid rev id: ${resolve[3] ?? ''}`);
      return;
    }
    const file = (repo.commits[commit] ?? []).find((f) => f.path === resolve[4]);
    if (file === undefined) {
      this.error(res, 404, 'EntryNotFound', `${resolve[4] ?? ''} does not exist on "${commit}"`);
      return;
    }
    if (file.lfs === true && file.fault === 'pointer') {
      // The LFS object is missing: the pointer itself is what the server has.
      this.serve(
        req,
        res,
        { path: file.path, bytes: Buffer.from(pointerText(file)) },
        entry,
        commit,
      );
      return;
    }
    if (file.lfs === true) {
      res.writeHead(302, {
        location: `${this.cdnUrl}/repos/${lfsOid(file)}/${encodeURIComponent(file.path)}?sig=abc&expires=1`,
        'x-repo-commit': commit,
        'x-linked-size': String(sizeOf(file)),
        'x-linked-etag': `"${lfsOid(file)}"`,
        'content-length': '0',
      });
      res.end();
      return;
    }
    this.serve(req, res, file, entry, commit);
  }

  /** The repository, or undefined after answering 401 as the Hub does (unknown or gated). */
  private guard(
    type: string,
    id: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): HubRepoSpec | undefined {
    const repo = this.findRepo(type, id);
    if (repo === undefined) {
      this.error(res, 401, 'RepoNotFound', 'Repository not found');
      return undefined;
    }
    if (
      repo.gatedToken !== undefined &&
      req.headers.authorization !== `Bearer ${repo.gatedToken}`
    ) {
      this.error(
        res,
        401,
        'GatedRepo',
        `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
      );
      return undefined;
    }
    return repo;
  }

  private answerCdn(req: IncomingMessage, res: ServerResponse): void {
    const entry = this.log(req, 'cdn');
    const m = /^\/repos\/([0-9a-f]{64})\/([^?]+)/.exec(req.url ?? '');
    const file = this.repos
      .flatMap((r) => Object.values(r.commits).flat())
      .find(
        (f) =>
          f.lfs === true &&
          m !== null &&
          lfsOid(f) === m[1] &&
          f.path === decodeURIComponent(m[2] ?? ''),
      );
    if (file === undefined) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('AccessDenied');
      return;
    }
    this.serve(req, res, file, entry, undefined);
  }

  /** Serves a file whole (200) or a range (206), with the file's fault applied. */
  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    file: HubFileSpec,
    entry: HubRequest,
    commit: string | undefined,
  ): void {
    if (file.fault === 'status500') {
      this.error(res, 500, undefined, 'Internal Error');
      return;
    }
    const real: HubFileSpec =
      file.fault !== 'wrong-size'
        ? file
        : file.bytes !== undefined
          ? { path: file.path, bytes: Buffer.concat([file.bytes, Buffer.alloc(100)]) }
          : { path: file.path, head: file.head ?? new Uint8Array(0), size: sizeOf(file) + 100 };
    const size = sizeOf(real);
    const base: Record<string, string> = {
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      ...(commit === undefined ? {} : { 'x-repo-commit': commit, etag: `"${commit.slice(0, 8)}"` }),
    };
    const range =
      file.fault === 'no-range' ? undefined : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size;
    let status = 200;
    if (range !== undefined && range !== null) {
      start = Number(range[1]);
      end = range[2] === '' ? size : Math.min(size, Number(range[2]) + 1);
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        res.end();
        return;
      }
      status = 206;
      base['content-range'] = `bytes ${start}-${end - 1}/${size}`;
    }
    base['content-length'] = String(end - start);
    res.writeHead(status, base);
    if (end - start > 4 * 1024 * 1024) {
      // A large answer (a server ignoring ranges on a virtual file) streams until the client
      // hangs up, never held whole.
      let at = start;
      const pump = (): void => {
        while (at < end && !res.destroyed) {
          const chunk = bytesAt(real, at, Math.min(end, at + 1024 * 1024));
          at += chunk.byteLength;
          entry.sent += chunk.byteLength;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        if (!res.destroyed) res.end();
      };
      pump();
      return;
    }
    const body = bytesAt(real, start, end);
    if (file.fault === 'truncate' && body.byteLength > 16) {
      // Content-Length promises the whole range; half of it arrives, then the connection drops.
      const half = body.subarray(0, Math.floor(body.byteLength / 2));
      entry.sent += half.byteLength;
      res.write(half, () => {
        res.destroy();
      });
      return;
    }
    entry.sent += body.byteLength;
    res.end(body);
  }
}
