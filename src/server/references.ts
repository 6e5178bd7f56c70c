import { FetchRefusedError } from './ssrf.js';

/**
 * Turns a reference that is not http(s) (`hf://org/model/file`) into an http(s) URL to fetch
 * through the SSRF guard. The seam where the Hugging Face Hub client plugs in: until one is
 * registered, such references are refused with NOT_SUPPORTED (HTTP 422), never guessed at.
 */
export type ReferenceResolver = (reference: URL) => Promise<string>;

const RESOLVERS = new Map<string, ReferenceResolver>();

/** Registers the resolver of a scheme (`'hf:'`). */
export function registerResolver(scheme: string, resolver: ReferenceResolver): void {
  RESOLVERS.set(scheme, resolver);
}

/** The http(s) URL a submitted reference stands for. */
export async function resolveReference(reference: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(reference);
  } catch {
    throw new FetchRefusedError('BAD_URL', `not a URL: ${reference.slice(0, 200)}`);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  const resolver = RESOLVERS.get(url.protocol);
  if (resolver !== undefined) return resolver(url);
  if (url.protocol === 'hf:') {
    throw new FetchRefusedError(
      'NOT_SUPPORTED',
      'hf:// references are not supported in this build (no Hugging Face Hub resolver is installed); submit an https URL or upload the file',
      422,
    );
  }
  throw new FetchRefusedError('BAD_URL', `unsupported scheme ${url.protocol}`);
}
