import type { ByteSource } from '../core/byte-source.js';
import { FormatError } from '../core/errors.js';

/** A Hugging Face repository kind, as the Hub's URLs spell it in the plural. */
export type HubRepoType = 'model' | 'dataset' | 'space';

/** A parsed `hf://[datasets/|spaces/]OWNER/NAME[@REVISION]` reference. */
export interface HubRef {
  readonly type: HubRepoType;
  /** `OWNER/NAME` (or a legacy `NAME`). */
  readonly id: string;
  /** The revision asked for (branch, tag, commit or `refs/pr/N`); `main` when none is given. */
  readonly revision: string;
}

/** Where the Hub is and who asks (the token is sent to the endpoint's origin only). */
export interface HubConnection {
  /** Base URL, e.g. `https://huggingface.co` (HF_ENDPOINT). No trailing slash. */
  readonly endpoint: string;
  /** Bearer token (HF_TOKEN). */
  readonly token?: string;
  /** Time limit of each request, in milliseconds. */
  readonly timeoutMs: number;
}

/** One file of a repository tree (`/api/{type}s/{id}/tree/{rev}`), as the Hub lists it. */
export interface HubTreeFile {
  readonly path: string;
  readonly size: number;
  /** Git blob id (SHA-1 of `blob <size>\0<content>` of what git stores: the pointer for LFS). */
  readonly oid: string;
  /** For files kept in Git LFS (or Xet): the real object's SHA-256 and size. */
  readonly lfs?: { readonly oid: string; readonly size: number };
}

/** Stable codes of a Hub request that went wrong; each names its cause in the message. */
export type HubErrorCode =
  | 'BAD_REFERENCE'
  | 'REPO_NOT_FOUND'
  | 'REVISION_NOT_FOUND'
  | 'ENTRY_NOT_FOUND'
  | 'GATED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'SERVER_ERROR'
  | 'BAD_RESPONSE'
  | 'NETWORK'
  | 'TOO_LARGE';

/** A Hub request that failed: what was asked, the HTTP status when there was one, and why. */
export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const REPO_PART = /^[A-Za-z0-9][\w.-]{0,95}$/;

/**
 * Parses `hf://OWNER/NAME[@REVISION]`, `hf://datasets/OWNER/NAME…` or `hf://spaces/…`. A
 * revision may hold `/` (`refs/pr/1`). Throws HubError BAD_REFERENCE.
 */
export function parseHubRef(text: string): HubRef {
  if (!text.startsWith('hf://')) throw new HubError('BAD_REFERENCE', `not an hf:// id: ${text}`);
  let rest = text.slice('hf://'.length);
  let type: HubRepoType = 'model';
  for (const [prefix, t] of [
    ['datasets/', 'dataset'],
    ['spaces/', 'space'],
    ['models/', 'model'],
  ] as const) {
    if (rest.startsWith(prefix)) {
      type = t;
      rest = rest.slice(prefix.length);
      break;
    }
  }
  const at = rest.indexOf('@');
  const id = at < 0 ? rest : rest.slice(0, at);
  const revision = at < 0 ? 'main' : rest.slice(at + 1);
  const parts = id.split('/');
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => REPO_PART.test(p))) {
    throw new HubError('BAD_REFERENCE', `not a repository id: '${id}' (expected OWNER/NAME)`);
  }
  if (revision === '' || revision.includes('..') || /[\s\0]/.test(revision)) {
    throw new HubError('BAD_REFERENCE', `not a revision: '${revision}'`);
  }
  return { type, id, revision };
}

/** `hf://[datasets/|spaces/]ID@REVISION`, the name a result carries. */
export function formatHubRef(ref: HubRef, revision = ref.revision): string {
  const prefix = ref.type === 'model' ? '' : `${ref.type}s/`;
  return `hf://${prefix}${ref.id}@${revision}`;
}

/** Most bytes of one JSON answer (a page of a tree listing, a revision's info). */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Most redirects followed for one file (the Hub answers one, to its CDN). */
const MAX_REDIRECTS = 5;

/** The repository's info at a revision: the commit it resolves to. */
export interface HubRevision {
  /** The 40-hex commit the revision named. */
  readonly sha: string;
  readonly gated?: unknown;
  readonly private?: boolean;
}

/** A client of the Hub's HTTP API (the subset huggingface_hub's downloads use). */
export class HubClient {
  constructor(readonly connection: HubConnection) {}

  private apiUrl(ref: HubRef, tail: string): string {
    return `${this.connection.endpoint}/api/${ref.type}s/${ref.id}/${tail}`;
  }

  /** `GET /api/{type}s/{id}/revision/{rev}`: resolves a revision to its commit. */
  async revision(ref: HubRef): Promise<HubRevision> {
    const body = await this.getJson(
      this.apiUrl(ref, `revision/${encodeURIComponent(ref.revision)}`),
      ref,
    );
    const sha = (body as { sha?: unknown } | null)?.sha;
    if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
      throw new HubError('BAD_RESPONSE', `the Hub named no commit for ${formatHubRef(ref)}`);
    }
    const info = body as { gated?: unknown; private?: unknown };
    return {
      sha,
      ...(info.gated === undefined ? {} : { gated: info.gated }),
      ...(typeof info.private === 'boolean' ? { private: info.private } : {}),
    };
  }

  /**
   * `GET /api/{type}s/{id}/tree/{commit}?recursive=true`, following `Link: <…>; rel="next"`
   * pages. Returns the files (folders are implied by paths), at most `maxFiles` of them.
   */
  async tree(ref: HubRef, commit: string, maxFiles: number): Promise<HubTreeFile[]> {
    const files: HubTreeFile[] = [];
    let url: string | undefined = this.apiUrl(ref, `tree/${commit}?recursive=true&expand=false`);
    const seen = new Set<string>();
    while (url !== undefined) {
      if (seen.has(url)) throw new HubError('BAD_RESPONSE', 'tree pages loop');
      seen.add(url);
      const response = await this.request(url, {}, ref);
      const page = await readJson(response, url);
      if (!Array.isArray(page)) throw new HubError('BAD_RESPONSE', `${url}: not a list`);
      for (const entry of page as unknown[]) {
        const file = treeFile(entry);
        if (file === undefined) continue;
        if (files.length >= maxFiles) {
          throw new HubError('TOO_LARGE', `more than ${maxFiles} files in ${formatHubRef(ref)}`);
        }
        files.push(file);
      }
      url = nextLink(response.headers.get('link'), url);
      // A next page must stay on the endpoint: the listing never sends the token elsewhere.
      if (url !== undefined && new URL(url).origin !== new URL(this.connection.endpoint).origin) {
        throw new HubError('BAD_RESPONSE', `tree page on another host: ${url}`);
      }
    }
    return files;
  }

  /** The `resolve` URL of a file at a commit. */
  resolveUrl(ref: HubRef, commit: string, path: string): string {
    const prefix = ref.type === 'model' ? '' : `/${ref.type}s`;
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return `${this.connection.endpoint}${prefix}/${ref.id}/resolve/${commit}/${encoded}`;
  }

  /**
   * Opens a file for ranged reads: one request for its first `firstBytes`, following the Hub's
   * redirect (to its CDN) by hand so the token never leaves the endpoint's origin. The final
   * URL then serves every later range directly.
   */
  async open(ref: HubRef, commit: string, path: string, firstBytes: number): Promise<RemoteFile> {
    let url = this.resolveUrl(ref, commit, path);
    const range = `bytes=0-${Math.max(0, firstBytes - 1)}`;
    let linkedCommit: string | undefined;
    for (let hop = 0; ; hop++) {
      const response = await this.request(url, { range }, ref, 'manual');
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        linkedCommit ??= response.headers.get('x-repo-commit') ?? undefined;
        const location = response.headers.get('location');
        if (location === null || hop >= MAX_REDIRECTS) {
          throw new HubError('BAD_RESPONSE', `${path}: redirect without a usable location`);
        }
        url = new URL(location, url).toString();
        continue;
      }
      linkedCommit ??= response.headers.get('x-repo-commit') ?? undefined;
      if (linkedCommit !== undefined && linkedCommit !== commit) {
        await response.body?.cancel();
        throw new HubError(
          'BAD_RESPONSE',
          `${path}: served from commit ${linkedCommit}, not ${commit} as asked`,
        );
      }
      return RemoteFile.fromFirst(this, url, response, firstBytes);
    }
  }

  /** Headers for `url`: the token only for the endpoint's own origin. */
  headersFor(url: string, extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': 'torchward', ...extra };
    if (
      this.connection.token !== undefined &&
      new URL(url).origin === new URL(this.connection.endpoint).origin
    ) {
      headers.authorization = `Bearer ${this.connection.token}`;
    }
    return headers;
  }

  /** One GET; a status of 400 or more becomes a HubError with the Hub's X-Error-Code read. */
  async request(
    url: string,
    extra: Record<string, string>,
    ref: HubRef | undefined,
    redirect: 'manual' | 'follow' = 'manual',
  ): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: this.headersFor(url, extra),
        redirect,
        signal: AbortSignal.timeout(this.connection.timeoutMs),
      });
    } catch (error) {
      throw new HubError('NETWORK', `${url}: ${describeNetworkError(error)}`, undefined, {
        cause: error,
      });
    }
    if (response.status < 400) return response;
    await response.body?.cancel();
    throw errorFromResponse(response, url, ref);
  }

  private async getJson(url: string, ref: HubRef): Promise<unknown> {
    return readJson(await this.request(url, {}, ref), url);
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  return error instanceof Error ? error.message : String(error);
}

/** The HubError of a failed answer, as huggingface_hub reads X-Error-Code and the status. */
function errorFromResponse(response: Response, url: string, ref: HubRef | undefined): HubError {
  const code = response.headers.get('x-error-code');
  const said = response.headers.get('x-error-message');
  const what = ref === undefined ? url : formatHubRef(ref);
  const detail = said === null ? '' : `: ${said}`;
  const status = response.status;
  if (code === 'RevisionNotFound')
    return new HubError('REVISION_NOT_FOUND', `${what}: revision not found${detail}`, status);
  if (code === 'EntryNotFound')
    return new HubError('ENTRY_NOT_FOUND', `${url}: file not found${detail}`, status);
  if (code === 'GatedRepo')
    return new HubError(
      'GATED',
      `${what}: gated repository: accept its conditions on the Hub and set HF_TOKEN${detail}`,
      status,
    );
  if (code === 'RepoNotFound' || status === 404 || (status === 401 && code === null)) {
    // The Hub answers 401 for a repository that does not exist or is private, so as not to say
    // which: huggingface_hub reports both as "not found".
    return new HubError(
      'REPO_NOT_FOUND',
      `${what}: repository not found (or private: set HF_TOKEN)${detail}`,
      status,
    );
  }
  if (status === 401) return new HubError('UNAUTHORIZED', `${what}: unauthorized${detail}`, status);
  if (status === 403) return new HubError('FORBIDDEN', `${what}: forbidden${detail}`, status);
  if (status >= 500)
    return new HubError('SERVER_ERROR', `${url}: the server answered ${status}${detail}`, status);
  return new HubError('BAD_RESPONSE', `${url}: HTTP ${status}${detail}`, status);
}

/** Reads a JSON answer of at most MAX_JSON_BYTES. */
async function readJson(response: Response, url: string): Promise<unknown> {
  const bytes = await readBody(response, MAX_JSON_BYTES, url);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw new HubError('BAD_RESPONSE', `${url}: not JSON`, response.status, { cause: error });
  }
}

/** A body read whole, refused past `max` bytes (the read stops there). */
async function readBody(response: Response, max: number, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel();
    throw new HubError('TOO_LARGE', `${url}: ${declared} bytes, over the limit ${max}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body === null) return new Uint8Array(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel();
        throw new HubError('TOO_LARGE', `${url}: over the limit ${max} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError('NETWORK', `${url}: the answer broke off after ${total} bytes`, undefined, {
      cause: error,
    });
  }
  return concat(chunks, total);
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** `<url>; rel="next"` out of a Link header (resolved against `base`). */
function nextLink(link: string | null, base: string): string | undefined {
  if (link === null) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(part);
    if (m?.[1] !== undefined) return new URL(m[1], base).toString();
  }
  return undefined;
}

function treeFile(entry: unknown): HubTreeFile | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  if (e.type !== 'file') return undefined;
  if (typeof e.path !== 'string' || typeof e.oid !== 'string' || !isSize(e.size)) {
    throw new HubError('BAD_RESPONSE', 'a tree entry without path, oid or size');
  }
  if (e.path.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new HubError('BAD_RESPONSE', `a tree entry with a bad path: ${e.path}`);
  }
  const lfs = e.lfs as Record<string, unknown> | null | undefined;
  if (lfs !== undefined && lfs !== null) {
    if (typeof lfs.oid !== 'string' || !isSize(lfs.size)) {
      throw new HubError('BAD_RESPONSE', `${e.path}: an LFS entry without oid or size`);
    }
    return { path: e.path, size: e.size, oid: e.oid, lfs: { oid: lfs.oid, size: lfs.size } };
  }
  return { path: e.path, size: e.size, oid: e.oid };
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Bytes per cached block of a remote file: headers and directories are read in few requests. */
export const BLOCK = 256 * 1024;
/** Blocks kept per file (most recently used). */
const BLOCKS_KEPT = 16;

/**
 * A file of the Hub read by ranges (`Range: bytes=a-b`, answered `206` with `Content-Range`).
 * Its size comes from the first answer's `Content-Range` total; every later answer must agree.
 * A short or wrong answer is a FormatError TRUNCATED: the scan reports the file unreadable,
 * never judges it on bytes it did not get. Counts the bytes it received.
 */
export class RemoteFile implements ByteSource {
  /** Bytes received over the network for this file. */
  bytesReceived = 0;
  /** Range requests made (the first one included). */
  requests = 1;
  private readonly blocks = new Map<number, Uint8Array>();

  private constructor(
    private readonly client: HubClient,
    readonly url: string,
    readonly size: number,
    first: Uint8Array,
  ) {
    this.bytesReceived = first.byteLength;
    // The first answer becomes the cached blocks it covers in full.
    for (let b = 0; b * BLOCK < first.byteLength; b++) {
      const end = Math.min((b + 1) * BLOCK, size);
      if (end > first.byteLength) break;
      this.blocks.set(b, first.subarray(b * BLOCK, end));
    }
  }

  /** The file as opened by its first answer (206 with Content-Range, or 200 with everything). */
  static async fromFirst(
    client: HubClient,
    url: string,
    response: Response,
    asked: number,
  ): Promise<RemoteFile> {
    if (response.status === 206) {
      const total = contentRangeTotal(response.headers.get('content-range'));
      if (total === undefined) {
        await response.body?.cancel();
        throw new HubError('BAD_RESPONSE', `${url}: a partial answer without Content-Range`);
      }
      const want = Math.min(asked, total);
      const bytes = await readBody(response, want, url);
      if (bytes.byteLength !== want) {
        throw new HubError(
          'BAD_RESPONSE',
          `${url}: truncated answer, ${bytes.byteLength} of ${want} bytes`,
        );
      }
      return new RemoteFile(client, url, total, bytes);
    }
    if (response.status === 200) {
      // The server ignored the range: only a file that fits the first read is taken whole.
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (!Number.isFinite(declared) || declared > asked) {
        await response.body?.cancel();
        throw new HubError(
          'BAD_RESPONSE',
          `${url}: the server does not answer ranged reads (HTTP 200 to a Range request)`,
        );
      }
      const bytes = await readBody(response, asked, url);
      if (bytes.byteLength !== declared) {
        throw new HubError(
          'BAD_RESPONSE',
          `${url}: truncated answer, ${bytes.byteLength} of ${declared} bytes`,
        );
      }
      return new RemoteFile(client, url, declared, bytes);
    }
    await response.body?.cancel();
    throw new HubError('BAD_RESPONSE', `${url}: HTTP ${response.status}`, response.status);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0)
      throw new RangeError(`bad range ${offset}+${length}`);
    const start = Math.min(offset, this.size);
    const end = Math.min(this.size, start + length);
    if (end === start) return new Uint8Array(0);
    const firstBlock = Math.floor(start / BLOCK);
    const lastBlock = Math.floor((end - 1) / BLOCK);
    if (lastBlock - firstBlock >= BLOCKS_KEPT) return this.fetchRange(start, end);
    const parts: Uint8Array[] = [];
    for (let b = firstBlock; b <= lastBlock; b++) parts.push(await this.block(b));
    const joined = concat(
      parts,
      parts.reduce((n, p) => n + p.byteLength, 0),
    );
    const from = start - firstBlock * BLOCK;
    return joined.subarray(from, from + (end - start));
  }

  private async block(index: number): Promise<Uint8Array> {
    const cached = this.blocks.get(index);
    if (cached !== undefined) {
      // Most recently used last.
      this.blocks.delete(index);
      this.blocks.set(index, cached);
      return cached;
    }
    const bytes = await this.fetchRange(index * BLOCK, Math.min(this.size, (index + 1) * BLOCK));
    this.blocks.set(index, bytes);
    while (this.blocks.size > BLOCKS_KEPT) {
      const oldest = this.blocks.keys().next().value;
      if (oldest === undefined) break;
      this.blocks.delete(oldest);
    }
    return bytes;
  }

  /** One ranged request for `[start, end)`; anything but exactly those bytes is TRUNCATED. */
  private async fetchRange(start: number, end: number): Promise<Uint8Array> {
    this.requests++;
    let bytes: Uint8Array;
    try {
      const response = await this.client.request(
        this.url,
        { range: `bytes=${start}-${end - 1}` },
        undefined,
        'manual',
      );
      const total = contentRangeTotal(response.headers.get('content-range'));
      if (response.status !== 206 || total !== this.size) {
        await response.body?.cancel();
        throw new HubError(
          'BAD_RESPONSE',
          `HTTP ${response.status} with ${response.headers.get('content-range') ?? 'no Content-Range'} for bytes ${start}-${end - 1} of ${this.size}`,
        );
      }
      bytes = await readBody(response, end - start, this.url);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new FormatError('TRUNCATED', `remote read failed: ${message}`, start, { cause: error });
    }
    this.bytesReceived += bytes.byteLength;
    if (bytes.byteLength !== end - start) {
      throw new FormatError(
        'TRUNCATED',
        `remote read cut short: ${bytes.byteLength} of ${end - start} bytes at ${start}`,
        start + bytes.byteLength,
      );
    }
    return bytes;
  }
}

/** The total of `Content-Range: bytes a-b/TOTAL`. */
function contentRangeTotal(header: string | null): number | undefined {
  const m = header === null ? null : /^bytes \d+-\d+\/(\d+)$/.exec(header.trim());
  if (m?.[1] === undefined) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Downloads a whole file of at most `max` bytes (following the redirect by hand, as `open`).
 * Throws HubError on an error status, a body that breaks off, or one past `max`; the caller
 * compares the bytes with what the tree lists.
 */
export async function downloadFile(
  client: HubClient,
  ref: HubRef,
  commit: string,
  path: string,
  max: number,
): Promise<Uint8Array> {
  let url = client.resolveUrl(ref, commit, path);
  for (let hop = 0; ; hop++) {
    const response = await client.request(url, {}, ref, 'manual');
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (location === null || hop >= MAX_REDIRECTS)
        throw new HubError('BAD_RESPONSE', `${path}: redirect without a usable location`);
      url = new URL(location, url).toString();
      continue;
    }
    return readBody(response, max, url);
  }
}
