import type { Span } from '../../core/finding.js';

/** A PEP 508 requirement or a direct reference, as pip reads one argument or one line. */
export interface RequirementSpec {
  /** Normalised project name (lower case, `_`/`.` → `-`); '' for a bare URL. */
  readonly name: string;
  /** Version specifiers as written (`>=2.6,<3`), '' when none. */
  readonly specifier: string;
  /** A direct reference: `name @ URL`, `git+https://…`, `https://…/x.whl`. */
  readonly url?: string;
}

/** One requirement line of a requirements file. */
export interface RequirementLine extends RequirementSpec {
  /** The requirement text (without options), in the file. */
  readonly span: Span;
  /** `--hash=` options on the line. */
  readonly hashes: number;
  /** `-e`/`--editable`. */
  readonly editable: boolean;
}

/** A global option line (`--extra-index-url URL`, `--trusted-host H`, `-i URL`). */
export interface RequirementOption {
  readonly option: string;
  readonly value: string;
  readonly span: Span;
}

export interface RequirementsFile {
  readonly requirements: readonly RequirementLine[];
  readonly options: readonly RequirementOption[];
}

const NAME = /^([A-Za-z0-9][\w.-]{0,200})(\[[^\]]{0,500}\])?(.*)$/s;
const URL_LIKE = /^(?:git\+|hg\+|svn\+|bzr\+)?(?:https?|file|ssh|git):\/\//i;

/** Normalises a project name as PEP 503 does. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * Reads one requirement (`torch>=2.6`, `torch==2.6.0; python_version>"3.8"`,
 * `pkg @ https://…`, `git+https://…@sha#egg=pkg`, `https://…/x.whl`). Returns undefined for
 * what is not a requirement (paths, option words).
 */
export function parseRequirementSpec(text: string): RequirementSpec | undefined {
  const withoutMarker = text.split(';')[0]?.trim() ?? '';
  if (withoutMarker === '') return undefined;
  if (URL_LIKE.test(withoutMarker)) {
    const egg = /[#&]egg=([\w.-]+)/.exec(withoutMarker)?.[1];
    return { name: egg === undefined ? '' : normalizeName(egg), specifier: '', url: withoutMarker };
  }
  // Spaces around extras are allowed; removing them first keeps the pattern linear.
  const compactText = withoutMarker.replace(/\s*\[/, '[').replace(/\]\s*/, ']');
  const match = NAME.exec(compactText);
  if (match === null) return undefined;
  const name = (match[1] ?? '').replace(/[.-]+$/, '');
  const rest = ((match[1] ?? '').slice(name.length) + (match[3] ?? '')).trim();
  if (rest.startsWith('@')) {
    return { name: normalizeName(name), specifier: '', url: rest.slice(1).trim() };
  }
  // The rest must be version specifiers (possibly parenthesised), nothing else.
  const spec = rest.replace(/^\((.*)\)$/s, '$1').replace(/\s+/g, '');
  if (spec !== '' && !/^(?:(?:===|==|!=|<=|>=|~=|<|>)[\w.*+!-]+,?)+$/.test(spec)) return undefined;
  return { name: normalizeName(name), specifier: spec };
}

/** Whether a specifier pins one exact version (`==1.2.3` without a wildcard, or `===`). */
export function isExactPin(specifier: string): boolean {
  return /^(?:===?)[\w.+!-]+$/.test(specifier) && !specifier.includes('*');
}

/**
 * Parses a requirements file (pip's format): comments, `\` continuations, `-r`/`-c` includes
 * (kept as options), `-e`, global options and per-line `--hash` options. Spans are UTF-16
 * offsets into `text`. Never throws.
 */
export function parseRequirementsFile(text: string): RequirementsFile {
  const requirements: RequirementLine[] = [];
  const options: RequirementOption[] = [];
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    let logical = text.slice(at, end);
    const start = at;
    // Continuation: a line ending in a backslash joins the next.
    while (logical.endsWith('\\') && end < text.length) {
      const nextEnd = text.indexOf('\n', end + 1);
      const stop = nextEnd < 0 ? text.length : nextEnd;
      logical = `${logical.slice(0, -1)} ${text.slice(end + 1, stop)}`;
      end = stop;
    }
    at = end + 1;
    // A comment starts at `#` preceded by whitespace or at the start of a line.
    const comment = /(?:^|\s)#/.exec(logical);
    const body = (comment === null ? logical : logical.slice(0, comment.index)).replace(/\r$/, '');
    const trimmed = body.trim();
    if (trimmed === '') continue;
    const lead = body.length - body.trimStart().length;
    if (trimmed.startsWith('-')) {
      const option = /^-{1,2}[\w-]+/.exec(trimmed)?.[0] ?? trimmed;
      const after = trimmed.slice(option.length);
      const value = /^[=\s]/.test(after) ? (after.slice(1).trim().split(/\s/)[0] ?? '') : '';
      if (option === '-e' || option === '--editable') {
        const spec = parseRequirementSpec(value);
        if (spec !== undefined) {
          const offset = start + lead + trimmed.indexOf(value);
          requirements.push({
            ...spec,
            span: { start: offset, end: offset + value.length },
            hashes: 0,
            editable: true,
          });
        }
        continue;
      }
      options.push({
        option,
        value,
        span: { start: start + lead, end: start + lead + trimmed.length },
      });
      continue;
    }
    const hashAt = trimmed.search(/\s--hash[=\s]/);
    const reqText = (hashAt < 0 ? trimmed : trimmed.slice(0, hashAt)).trim();
    const hashes = (trimmed.match(/--hash[=\s]/g) ?? []).length;
    const spec = parseRequirementSpec(reqText);
    if (spec === undefined) continue;
    requirements.push({
      ...spec,
      span: { start: start + lead, end: start + lead + reqText.length },
      hashes,
      editable: false,
    });
  }
  return { requirements, options };
}

/** A version as a list of release numbers (`2.6.0+cu124` → [2, 6, 0]); pre-releases drop. */
export function releaseOf(version: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(version.trim());
  if (m?.[1] === undefined) return undefined;
  return m[1].split('.').map(Number);
}

/** Compares release lists, padding with zeros. */
export function compareRelease(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The range a specifier allows, as the least and greatest release it admits (either side
 * undefined when unbounded). `==2.5.*` admits [2.5, 2.6); `~=2.6` admits [2.6, 3); conda's
 * `=2.1` is read as `==2.1.*`.
 */
export function specifierRange(specifier: string): {
  readonly min?: readonly number[];
  readonly below?: readonly number[];
} {
  let min: number[] | undefined;
  let below: number[] | undefined;
  const raise = (v: number[]): void => {
    if (min === undefined || compareRelease(v, min) > 0) min = v;
  };
  const lower = (v: number[]): void => {
    if (below === undefined || compareRelease(v, below) < 0) below = v;
  };
  for (const part of specifier.split(',')) {
    const m = /^(===|==|!=|<=|>=|~=|<|>|=|\^|~)?([\w.*+!-]+)$/.exec(part.replace(/\s+/g, ''));
    if (m === null) continue;
    const op = m[1] ?? '==';
    const raw = m[2] ?? '';
    const wildcard = raw.endsWith('.*') || op === '=';
    const v = releaseOf(raw.replace(/\.\*$/, ''));
    if (v === undefined) continue;
    const next = (r: readonly number[], at: number): number[] => {
      const out = r.slice(0, at + 1);
      out[at] = (out[at] ?? 0) + 1;
      return out;
    };
    switch (op) {
      case '==':
      case '===':
      case '=':
        raise(v);
        if (wildcard) lower(next(v, v.length - 1));
        else lower([...v, 0, 0, 0, 1]);
        break;
      case '>=':
      case '>':
        raise(v);
        break;
      case '<':
        lower(v);
        break;
      case '<=':
        lower([...v, 0, 0, 0, 1]);
        break;
      case '~=':
        raise(v);
        lower(next(v, Math.max(0, v.length - 2)));
        break;
      case '^':
        raise(v);
        lower(next(v, v.findIndex((x) => x !== 0) < 0 ? 0 : v.findIndex((x) => x !== 0)));
        break;
      case '~':
        raise(v);
        lower(next(v, Math.min(1, v.length - 1)));
        break;
      default:
        break;
    }
  }
  return { ...(min === undefined ? {} : { min }), ...(below === undefined ? {} : { below }) };
}
