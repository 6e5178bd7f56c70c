/** A parsed `uses:` value. */
export type UsesRef =
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'docker'; readonly image: string }
  | {
      readonly kind: 'remote';
      /** `owner/repo`, lower-cased. */
      readonly repo: string;
      /** Sub-path inside the repository ('' for the root action). */
      readonly subpath: string;
      /** The part after `@` ('' when missing). */
      readonly version: string;
    }
  | { readonly kind: 'invalid' };

/**
 * Parses a step's or job's `uses:` value: `./local/path`, `docker://image`,
 * `owner/repo[/path]@ref`. `$/path` (same-repository syntax) counts as local.
 */
export function parseUses(value: string): UsesRef {
  // Several rules parse the same `uses:` strings; a bounded cache keeps that to once each.
  let ref = PARSED.get(value);
  if (ref === undefined) {
    if (PARSED.size >= MAX_CACHED) PARSED.clear();
    ref = parse(value);
    PARSED.set(value, ref);
  }
  return ref;
}

const PARSED = new Map<string, UsesRef>();
const MAX_CACHED = 4096;

function parse(value: string): UsesRef {
  const trimmed = value.trim();
  if (trimmed.startsWith('./') || trimmed.startsWith('$/')) {
    return { kind: 'local', path: trimmed.slice(2) };
  }
  if (trimmed.startsWith('docker://')) return { kind: 'docker', image: trimmed.slice(9) };
  const at = trimmed.lastIndexOf('@');
  const name = at < 0 ? trimmed : trimmed.slice(0, at);
  const version = at < 0 ? '' : trimmed.slice(at + 1);
  const parts = name.split('/');
  if (parts.length < 2 || parts.some((p) => p === '')) return { kind: 'invalid' };
  return {
    kind: 'remote',
    repo: `${parts[0] ?? ''}/${parts[1] ?? ''}`.toLowerCase(),
    subpath: parts.slice(2).join('/'),
    version,
  };
}

const FULL_SHA = /^[0-9a-f]{40}$/i;

/** Whether `ref` is a full 40-hex-digit commit SHA (the only immutable git reference). */
export function isFullSha(ref: string): boolean {
  return FULL_SHA.test(ref);
}

/** `owner/repo/subpath` of a remote action, lower-cased, for matching known actions. */
export function actionName(value: string): string | undefined {
  const ref = parseUses(value);
  if (ref.kind !== 'remote') return undefined;
  return ref.subpath === '' ? ref.repo : `${ref.repo}/${ref.subpath.toLowerCase()}`;
}

/** Whether the image reference names a content digest (`image@sha256:…`). */
export function isDigestImage(image: string): boolean {
  return /@sha256:[0-9a-f]{64}$/i.test(image.trim());
}
