/** An `OWNER/REPO` pair that is safe to put in an API path. */
export interface RepoSlug {
  readonly owner: string;
  readonly repo: string;
}

// GitHub's own rules: owners are 1-39 alphanumerics or single hyphens; repository names are
// 1-100 of [A-Za-z0-9._-]. Anything else (`..`, `/`, `%2e`, spaces) could walk the API path.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/** Parses `OWNER/REPO`; throws TypeError naming what is wrong. */
export function parseRepoSlug(value: string): RepoSlug {
  const parts = value.split('/');
  if (parts.length !== 2) throw new TypeError(`expected OWNER/REPO, not ${JSON.stringify(value)}`);
  const [owner = '', repo = ''] = parts;
  if (!OWNER.test(owner)) throw new TypeError(`not a GitHub owner name: ${JSON.stringify(owner)}`);
  if (!REPO.test(repo) || repo === '.' || repo === '..' || repo.endsWith('.git')) {
    throw new TypeError(`not a GitHub repository name: ${JSON.stringify(repo)}`);
  }
  return { owner, repo };
}

/** Parses `OWNER/REPO#NUMBER`; throws TypeError naming what is wrong. */
export function parsePullRef(value: string): RepoSlug & { readonly number: number } {
  const hash = value.lastIndexOf('#');
  if (hash < 0) throw new TypeError(`expected OWNER/REPO#PR, not ${JSON.stringify(value)}`);
  const slug = parseRepoSlug(value.slice(0, hash));
  const digits = value.slice(hash + 1);
  if (!/^[1-9]\d{0,9}$/.test(digits)) {
    throw new TypeError(`not a pull request number: ${JSON.stringify(digits)}`);
  }
  return { ...slug, number: Number(digits) };
}

/**
 * Checks a branch name given on the command line against git's ref-name rules that matter for an
 * API path (no `..`, no control characters, no leading `/` or `-`); throws TypeError.
 */
export function checkBranchName(name: string): string {
  if (
    name.length === 0 ||
    name.length > 255 ||
    name.includes('..') ||
    name.startsWith('/') ||
    name.startsWith('-') ||
    name.endsWith('/') ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f ~^:?*[\\]/.test(name)
  ) {
    throw new TypeError(`not a valid branch name: ${JSON.stringify(name)}`);
  }
  return name;
}
