import type { IncomingMessage } from 'node:http';
import {
  HubClient,
  HubError,
  formatHubRef,
  parseHubRef,
  type HubConnection,
  type HubRef,
  type HubTreeFile,
} from '../hub/client.js';
import { guardedGet, type GuardOptions } from './ssrf.js';
import type { Expected } from './store.js';

/** A parsed `hf://[datasets/|spaces/]OWNER/NAME[@REVISION][/PATH]` reference. */
export interface HubFileRef {
  readonly ref: HubRef;
  /** The file inside the repository; undefined for the whole repository. */
  readonly path: string | undefined;
}

// A revision with a `/` must be percent-encoded (`@refs%2Fpr%2F1`), as huggingface_hub's
// HfFileSystem spells it; the two kinds of ref the Hub itself names with slashes are also taken
// as they are.
const SLASHED_REVISION = /^(refs\/(?:pr|convert)\/[\w.-]+)(?:\/(.*))?$/s;

/**
 * Parses an hf:// reference that may name a file: `hf://OWNER/NAME/PATH`,
 * `hf://OWNER/NAME@REV/PATH` (REV percent-encoded when it holds `/`, or `refs/pr/N`). Throws
 * HubError BAD_REFERENCE.
 */
export function parseHubFileRef(text: string): HubFileRef {
  if (!text.startsWith('hf://')) throw new HubError('BAD_REFERENCE', `not an hf:// id: ${text}`);
  const body = text.slice('hf://'.length);
  const prefix = /^(?:datasets|spaces|models)\//.exec(body)?.[0] ?? '';
  const rest = body.slice(prefix.length);
  let repo: string;
  let revision: string | undefined;
  let path: string | undefined;
  const at = rest.indexOf('@');
  const slashBeforeAt = at < 0 ? -1 : rest.slice(0, at).split('/').length;
  if (at >= 0 && slashBeforeAt <= 2) {
    repo = rest.slice(0, at);
    const after = rest.slice(at + 1);
    const slashed = SLASHED_REVISION.exec(after);
    if (slashed?.[1] !== undefined) {
      revision = slashed[1];
      path = slashed[2];
    } else {
      const cut = after.indexOf('/');
      const raw = cut < 0 ? after : after.slice(0, cut);
      path = cut < 0 ? undefined : after.slice(cut + 1);
      try {
        revision = decodeURIComponent(raw);
      } catch {
        throw new HubError('BAD_REFERENCE', `not a revision: '${raw}'`);
      }
    }
  } else {
    const parts = rest.split('/');
    repo = parts.slice(0, 2).join('/');
    path = parts.length > 2 ? parts.slice(2).join('/') : undefined;
  }
  const ref = parseHubRef(`hf://${prefix}${repo}${revision === undefined ? '' : `@${revision}`}`);
  if (path === '') path = undefined;
  if (
    path !== undefined &&
    (path.length > 1024 ||
      /[\0\\]/.test(path) ||
      path.split('/').some((p) => p === '' || p === '.' || p === '..'))
  ) {
    throw new HubError('BAD_REFERENCE', `not a file path in a repository: '${path.slice(0, 200)}'`);
  }
  return { ref, path };
}

/** A file of the Hub, opened for streaming into the store. */
export interface OpenedHubFile {
  readonly body: AsyncIterable<Uint8Array>;
  /** What the Hub's tree says the file is: checked as it is stored. */
  readonly expect: Expected;
  /** Gives up the body without reading it. */
  close(): void;
}

/** Options of the fetcher. */
export interface HubFetcherOptions {
  /** The Hub (`--hf-endpoint`, HF_ENDPOINT) and HF_TOKEN, sent to that origin only. */
  readonly connection: HubConnection;
  /**
   * The guard for every host that is not the endpoint (the CDN a file redirects to): the
   * operator configured the endpoint, so it is trusted; where it sends a download is not.
   */
  readonly guard: GuardOptions;
  /** Most files listed for one repository. */
  readonly maxFiles?: number;
  /** Time a download (its body included) may take. */
  readonly downloadTimeoutMs?: number;
}

const MAX_REDIRECTS = 5;
// Resolved commits and their trees, kept a short while: a hub-scan list names many files of one
// repository, which then cost one listing, not one each. Few are kept: a listing of a large
// repository (up to maxFiles entries) holds megabytes. A branch moved within CACHE_MS is seen
// at its previous commit until then.
const CACHE_MS = 60_000;
const CACHE_ENTRIES = 8;

/**
 * Fetches files of the Hugging Face Hub for the service: `revision` to a commit, the tree for
 * the file's size and hash, then `resolve/{commit}/{path}`, whose bytes must match the tree (the
 * LFS SHA-256, or the git blob id). Requests to the configured endpoint are trusted (it may be a
 * mirror on a private address); a redirect off it goes through the SSRF guard, without the token.
 */
export class HubFetcher {
  private readonly api: HubClient;
  private readonly download: HubClient;
  private readonly cache = new Map<
    string,
    { at: number; value: Promise<{ commit: string; files: Map<string, HubTreeFile> }> }
  >();

  constructor(readonly options: HubFetcherOptions) {
    this.api = new HubClient(options.connection);
    this.download = new HubClient({
      ...options.connection,
      timeoutMs: options.downloadTimeoutMs ?? 15 * 60_000,
    });
  }

  /** The endpoint's origin (for messages and tests). */
  get endpoint(): string {
    return this.options.connection.endpoint;
  }

  /** The commit a reference's revision names, and the repository's files at it. */
  async listing(ref: HubRef): Promise<{ commit: string; files: Map<string, HubTreeFile> }> {
    const key = formatHubRef(ref);
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && now - hit.at < CACHE_MS) return hit.value;
    const value = (async () => {
      const commit = (await this.api.revision(ref)).sha;
      const tree = await this.api.tree(ref, commit, this.options.maxFiles ?? 100_000);
      return { commit, files: new Map(tree.map((f) => [f.path, f])) };
    })();
    this.cache.set(key, { at: now, value });
    value.catch(() => this.cache.delete(key));
    while (this.cache.size > CACHE_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return value;
  }

  /** Every file of a repository reference, as file references pinned to the commit. */
  async files(ref: HubRef): Promise<string[]> {
    const { commit, files } = await this.listing(ref);
    const pinned = formatHubRef(ref, commit);
    return [...files.keys()].sort().map((p) => `${pinned}/${p}`);
  }

  /** Opens one file of the Hub (a reference with a path). */
  async open(file: HubFileRef): Promise<OpenedHubFile> {
    const { ref, path } = file;
    if (path === undefined) {
      throw new HubError('BAD_REFERENCE', `${formatHubRef(ref)} names no file`);
    }
    const { commit, files } = await this.listing(ref);
    const entry = files.get(path);
    const what = `${formatHubRef(ref, commit)}/${path}`;
    if (entry === undefined) {
      throw new HubError('ENTRY_NOT_FOUND', `${what}: no such file at that commit`, 404);
    }
    const expect: Expected =
      entry.lfs === undefined
        ? { what, size: entry.size, gitBlobSha1: entry.oid }
        : { what, size: entry.lfs.size, sha256: entry.lfs.oid };
    const endpointOrigin = new URL(this.endpoint).origin;
    let url = this.download.resolveUrl(ref, commit, path);
    for (let hop = 0; ; hop++) {
      if (new URL(url).origin !== endpointOrigin) {
        // Off the endpoint (the CDN): the SSRF guard, which follows and checks any further hops.
        const res: IncomingMessage = await guardedGet(url, {
          ...this.options.guard,
          timeoutMs: 30_000,
        });
        return { body: res, expect, close: () => res.destroy() };
      }
      const response = await this.download.request(url, {}, ref, 'manual');
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        const location = response.headers.get('location');
        if (location === null || hop >= MAX_REDIRECTS) {
          throw new HubError('BAD_RESPONSE', `${what}: redirect without a usable location`);
        }
        url = new URL(location, url).toString();
        continue;
      }
      if (response.status !== 200 || response.body === null) {
        await response.body?.cancel();
        throw new HubError('BAD_RESPONSE', `${what}: HTTP ${response.status}`, response.status);
      }
      const stream = response.body;
      return {
        body: stream as unknown as AsyncIterable<Uint8Array>,
        expect,
        close: () => {
          void stream.cancel().catch(() => undefined);
        },
      };
    }
  }
}
