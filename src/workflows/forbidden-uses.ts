import type { UsesRef } from './uses.js';

/**
 * The configured allow or deny list of `uses:` references (torchward.yml `forbidden-uses`), the
 * equivalent of zizmor's forbidden-uses audit. Exactly one list: with `allow`, every remote
 * action or reusable workflow that no pattern matches is forbidden; with `deny`, every one a
 * pattern matches is.
 */
export type ForbiddenUsesPolicy =
  { readonly allow: readonly UsesPattern[] } | { readonly deny: readonly UsesPattern[] };

/** One parsed pattern; `text` is as written, for messages. */
export interface UsesPattern {
  readonly text: string;
  /** '*' (any owner), or the owner lower-cased. */
  readonly owner: string;
  /** '*' (any repository of the owner), or the repository lower-cased. */
  readonly repo: string;
  /**
   * undefined: the repository's root action only; '*': any sub-path including none; otherwise
   * exactly that sub-path.
   */
  readonly subpath: string | undefined;
  /** Only this ref (after `@`) when given. */
  readonly ref: string | undefined;
}

// owner[/repo[/sub/path]][@ref]: the characters GitHub allows in owner and repository names.
const PATTERN =
  /^(?<owner>[A-Za-z0-9_.-]+)\/(?<repo>[A-Za-z0-9_.-]+|\*)(?:\/(?<subpath>[^@\s]+))?(?:@(?<ref>[^@\s]+))?$/;

/**
 * Parses one pattern: `*`, `owner/*`, `owner/repo`, `owner/repo/*`, `owner/repo/sub/path`, the
 * last three optionally with `@ref` except the wildcard sub-path. Returns an error message for
 * anything else (`*\/*`, `owner/*\/path`, `owner/*@v1`), so a typo in the list is refused rather
 * than silently matching nothing.
 */
export function parseUsesPattern(text: string): UsesPattern | string {
  const trimmed = text.trim();
  if (trimmed === '*') {
    return { text, owner: '*', repo: '*', subpath: '*', ref: undefined };
  }
  const m = PATTERN.exec(trimmed);
  const groups = m?.groups;
  if (groups === undefined)
    return `'${text}' is not a uses pattern (owner/repo[/path][@ref], owner/*, *)`;
  const owner = groups.owner ?? '';
  const repo = groups.repo ?? '';
  const subpath = groups.subpath;
  const ref = groups.ref;
  if (owner === '*') return `'${text}': the owner cannot be a wildcard (use '*' alone)`;
  if (repo === '*' && (subpath !== undefined || ref !== undefined)) {
    return `'${text}': 'owner/*' takes no path or ref`;
  }
  if (subpath === '*' && ref !== undefined) return `'${text}': 'owner/repo/*' takes no ref`;
  if (subpath !== undefined && subpath !== '*' && subpath.includes('*')) {
    return `'${text}': '*' is allowed only as the whole sub-path`;
  }
  return {
    text,
    owner: owner.toLowerCase(),
    repo: repo.toLowerCase(),
    subpath: repo === '*' ? '*' : subpath,
    ref,
  };
}

/** Whether a pattern matches a remote `uses:` (owner and repository case-insensitively). */
export function matchesUsesPattern(
  pattern: UsesPattern,
  ref: Extract<UsesRef, { kind: 'remote' }>,
): boolean {
  if (pattern.owner === '*') return true;
  const [owner = '', repo = ''] = ref.repo.split('/');
  if (owner !== pattern.owner) return false;
  if (pattern.repo !== '*' && repo !== pattern.repo) return false;
  if (pattern.subpath === undefined) {
    if (ref.subpath !== '') return false;
  } else if (pattern.subpath !== '*' && ref.subpath !== pattern.subpath) {
    return false;
  }
  return pattern.ref === undefined || ref.version === pattern.ref;
}

/**
 * Why a remote `uses:` is forbidden by the policy (the deny pattern it matches, or that no allow
 * pattern does); undefined when it is allowed.
 */
export function forbiddenBy(
  policy: ForbiddenUsesPolicy,
  ref: Extract<UsesRef, { kind: 'remote' }>,
): string | undefined {
  if ('deny' in policy) {
    const hit = policy.deny.find((p) => matchesUsesPattern(p, ref));
    return hit === undefined ? undefined : `it matches deny pattern \`${hit.text}\``;
  }
  return policy.allow.some((p) => matchesUsesPattern(p, ref))
    ? undefined
    : 'no allow pattern matches it';
}

/**
 * Builds a policy from configuration data (`{allow: [...]}` or `{deny: [...]}`). Throws
 * TypeError naming the problem: both lists, neither, a non-string entry or a bad pattern.
 */
export function parseForbiddenUses(value: unknown, where: string): ForbiddenUsesPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where} must be a mapping with one key, allow or deny`);
  }
  const keys = Object.keys(value);
  const key = keys[0];
  if (keys.length !== 1 || (key !== 'allow' && key !== 'deny')) {
    throw new TypeError(
      `${where} must have exactly one key, allow or deny (got: ${keys.join(', ') || 'none'})`,
    );
  }
  const list: unknown = (value as Record<string, unknown>)[key];
  if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string')) {
    throw new TypeError(`${where}.${key} must be a list of strings`);
  }
  const patterns: UsesPattern[] = [];
  for (const text of list) {
    const parsed = parseUsesPattern(text);
    if (typeof parsed === 'string') throw new TypeError(`${where}.${key}: ${parsed}`);
    patterns.push(parsed);
  }
  return key === 'allow' ? { allow: patterns } : { deny: patterns };
}
