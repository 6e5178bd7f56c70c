import { HubError } from '../hub/client.js';
import type { HubFetcher } from './hub-fetch.js';
import { parseHubFileRef } from './hub-fetch.js';
import { FetchRefusedError, guardedGet, type GuardOptions } from './ssrf.js';
import { TooLargeError, type Expected } from './store.js';

/** Where references are fetched from. */
export interface ReferenceOptions {
  /** The SSRF guard of user URLs. */
  readonly guard: GuardOptions;
  /** The Hugging Face Hub (`hf://`); without it such references are refused (422). */
  readonly hub?: HubFetcher;
  /** Largest artifact accepted: a body that declares more is refused before it is read. */
  readonly maxBytes: number;
}

/** A reference opened for streaming into the store. */
export interface OpenedReference {
  readonly body: AsyncIterable<Uint8Array>;
  readonly expect?: Expected;
  close(): void;
}

/**
 * Opens a submitted reference: an http(s) URL through the SSRF guard, or an
 * `hf://[datasets/|spaces/]OWNER/NAME[@REV]/PATH` file of the configured Hub. Throws
 * FetchRefusedError (bad or refused URL, upstream status), HubError (what the Hub answered) or
 * TooLargeError.
 */
export async function openReference(
  reference: string,
  options: ReferenceOptions,
): Promise<OpenedReference> {
  let url: URL;
  try {
    url = new URL(reference);
  } catch {
    throw new FetchRefusedError('BAD_URL', `not a URL: ${reference.slice(0, 200)}`);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const res = await guardedGet(url.href, options.guard);
    const declared = Number(res.headers['content-length'] ?? '0');
    if (declared > options.maxBytes) {
      res.destroy();
      throw new TooLargeError(options.maxBytes);
    }
    return { body: res, close: () => res.destroy() };
  }
  if (url.protocol === 'hf:') {
    if (options.hub === undefined) {
      throw new FetchRefusedError(
        'NOT_SUPPORTED',
        'hf:// references are not enabled on this service; submit an https URL or upload the file',
        422,
      );
    }
    const file = parseHubFileRef(reference);
    if (file.path === undefined) {
      throw new HubError(
        'BAD_REFERENCE',
        `${reference} names a repository, not a file: add the file's path (hf://OWNER/NAME[@REV]/PATH)`,
      );
    }
    const opened = await options.hub.open(file);
    if ((opened.expect.size ?? 0) > options.maxBytes) {
      opened.close();
      throw new TooLargeError(options.maxBytes);
    }
    return opened;
  }
  throw new FetchRefusedError('BAD_URL', `unsupported scheme ${url.protocol}`);
}

/** The API status and stable code of a Hub failure. */
export function hubErrorStatus(error: HubError): { status: number; code: string } {
  switch (error.code) {
    case 'BAD_REFERENCE':
      return { status: 400, code: 'BAD_URL' };
    case 'REPO_NOT_FOUND':
    case 'REVISION_NOT_FOUND':
    case 'ENTRY_NOT_FOUND':
    case 'GATED':
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      // The reference names nothing this service may read.
      return { status: 422, code: `HUB_${error.code}` };
    case 'TOO_LARGE':
      return { status: 413, code: 'TOO_LARGE' };
    case 'BAD_RESPONSE':
    case 'NETWORK':
    case 'SERVER_ERROR':
      return { status: 502, code: `HUB_${error.code}` };
  }
}
