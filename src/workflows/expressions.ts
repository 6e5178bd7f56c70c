/** One `${{ … }}` expression found in source text. */
export interface ExpressionMatch {
  /** Offset of `$` relative to the searched text. */
  readonly start: number;
  /** Offset just past the closing `}}`. */
  readonly end: number;
  /** The text between the braces, trimmed. */
  readonly body: string;
}

/** One context reference inside an expression, e.g. `github.event.issue.title`. */
export interface ContextRef {
  /** Lower-cased dotted path; `[*]`, `.*` and numeric or quoted indexes become segments. */
  readonly path: string;
  /** Offsets of the reference inside the expression body. */
  readonly start: number;
  readonly end: number;
}

/**
 * Finds every `${{ … }}` in `text`. Runs in linear time: each search resumes after the previous
 * match. An unterminated `${{` ends the search.
 */
export function findExpressions(text: string): ExpressionMatch[] {
  const out: ExpressionMatch[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('${{', from);
    if (start < 0) break;
    const close = text.indexOf('}}', start + 3);
    if (close < 0) break;
    out.push({ start, end: close + 2, body: text.slice(start + 3, close).trim() });
    from = close + 2;
  }
  return out;
}

/** `[A-Za-z_]`: the first character of a context name. */
function isIdentStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

/** `[A-Za-z0-9_-]`: the rest of a context name or property. */
function isIdentPart(code: number): boolean {
  return isIdentStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d;
}

/** The code at `i`, or -1 past the end (reading past a string's end makes V8 deoptimise). */
function codeAt(text: string, i: number): number {
  return i < text.length ? text.charCodeAt(i) : -1;
}

/** The offset after the name characters starting at `from`. */
function identEnd(body: string, from: number): number {
  let i = from;
  while (i < body.length && isIdentPart(body.charCodeAt(i))) i++;
  return i;
}

/**
 * Lists the context references in an expression body, skipping string literals and function
 * names. A hand-written scanner (no backtracking): each iteration consumes at least one character.
 */
export function contextRefs(body: string): ContextRef[] {
  const out: ContextRef[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body.charCodeAt(i);
    if (c === 0x27) {
      // String literal; '' is an escaped quote.
      i++;
      while (i < body.length) {
        if (body.charCodeAt(i) === 0x27) {
          if (codeAt(body, i + 1) === 0x27) i += 2;
          else break;
        } else i++;
      }
      i++;
      continue;
    }
    if (!isIdentStart(c)) {
      i++;
      continue;
    }
    const start = i;
    i = identEnd(body, i);
    let path = body.slice(start, i).toLowerCase();
    for (;;) {
      const next = codeAt(body, i);
      if (next === 0x2e) {
        // .
        i++;
        if (codeAt(body, i) === 0x2a) {
          path += '.*';
          i++;
          continue;
        }
        const partStart = i;
        i = identEnd(body, i);
        if (i === partStart) break;
        path += `.${body.slice(partStart, i).toLowerCase()}`;
      } else if (next === 0x5b) {
        // [
        const close = body.indexOf(']', i);
        if (close < 0) {
          i = body.length;
          break;
        }
        const inner = body.slice(i + 1, close).trim();
        const quoted = /^'([^']*)'$/.exec(inner);
        path += `.${quoted?.[1] !== undefined ? quoted[1].toLowerCase() : '*'}`;
        i = close + 1;
      } else break;
    }
    // A name followed by `(` is a function call, not a context.
    let j = i;
    while (codeAt(body, j) === 0x20) j++;
    if (codeAt(body, j) === 0x28) continue;
    if (path !== 'true' && path !== 'false' && path !== 'null') out.push({ path, start, end: i });
  }
  return out;
}

// Contexts whose value anyone who can open a PR, issue or comment controls (GitHub's "untrusted
// input" list, actionlint's and zizmor's capability tables): free text or branch names.
const ATTACKER_CONTROLLED = [
  'github.head_ref',
  'github.event.issue.title',
  'github.event.issue.body',
  'github.event.pull_request.title',
  'github.event.pull_request.body',
  'github.event.pull_request.head.ref',
  'github.event.pull_request.head.label',
  'github.event.pull_request.head.repo.default_branch',
  'github.event.pull_request.head.repo.description',
  'github.event.comment.body',
  'github.event.review.body',
  'github.event.review_comment.body',
  'github.event.discussion.title',
  'github.event.discussion.body',
  'github.event.pages.*.page_name',
  'github.event.commits.*.message',
  'github.event.commits.*.author.email',
  'github.event.commits.*.author.name',
  'github.event.commits.*.committer.email',
  'github.event.commits.*.committer.name',
  'github.event.head_commit.message',
  'github.event.head_commit.author.email',
  'github.event.head_commit.author.name',
  'github.event.head_commit.committer.email',
  'github.event.head_commit.committer.name',
  'github.event.workflow_run.head_branch',
  'github.event.workflow_run.display_title',
  'github.event.workflow_run.head_commit.message',
  'github.event.workflow_run.head_commit.author.email',
  'github.event.workflow_run.head_commit.author.name',
  'github.event.workflow_run.pull_requests.*.head.ref',
  'github.event.workflow_run.head_repository.description',
  'github.event.workflow_run.head_commit.committer.email',
  'github.event.workflow_run.head_commit.committer.name',
  'github.event.check_suite.head_branch',
  'github.event.check_run.check_suite.head_branch',
  'github.event.merge_group.head_commit.message',
  'github.event.merge_group.head_commit.author.email',
  'github.event.merge_group.head_commit.author.name',
];

// Whole objects that, serialised with toJSON, carry the free text above.
const ATTACKER_OBJECTS = [
  'github.event',
  'github.event.issue',
  'github.event.pull_request',
  'github.event.comment',
  'github.event.review',
  'github.event.review_comment',
  'github.event.discussion',
  'github.event.head_commit',
  'github.event.commits',
  'github.event.workflow_run',
];

const ATTACKER_PATTERNS: readonly (readonly string[])[] = ATTACKER_CONTROLLED.map((p) =>
  p.split('.'),
);

/** Whether a context path carries attacker-controlled text (titles, bodies, branch names …). */
export function isAttackerControlled(path: string): boolean {
  // Every entry lives under `github.`; most references (secrets, runner, matrix) stop here.
  if (!path.startsWith('github.')) return false;
  if (ATTACKER_OBJECTS.includes(path)) return true;
  const segments = path.split('.');
  return ATTACKER_PATTERNS.some(
    (pattern) =>
      pattern.length === segments.length &&
      pattern.every((segment, index) => segment === '*' || segment === segments[index]),
  );
}

/**
 * The string literals of an expression body (`'a'` in `x && 'a' || 'b'`), in order; used to
 * over-approximate the values a ternary-like expression can take.
 */
export function stringLiterals(body: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    if (body.charAt(i) !== "'") {
      i++;
      continue;
    }
    let value = '';
    i++;
    while (i < body.length) {
      const c = body.charAt(i);
      if (c === "'") {
        if (body.charAt(i + 1) === "'") {
          value += "'";
          i += 2;
          continue;
        }
        break;
      }
      value += c;
      i++;
    }
    i++;
    out.push(value);
  }
  return out;
}

/**
 * Whether a context path names an object holding attacker-controlled text somewhere below it
 * (`github.event.pull_request.head`, `github.event.commits.*`): serialised with `toJSON()`, that
 * text lands in the output.
 */
export function isAttackerObject(path: string): boolean {
  if (!path.startsWith('github.')) return false;
  if (path === 'github' || ATTACKER_OBJECTS.includes(path)) return true;
  const segments = path.split('.');
  return ATTACKER_PATTERNS.some(
    (pattern) =>
      pattern.length > segments.length &&
      segments.every((segment, index) => {
        const want = pattern[index];
        return want === '*' || segment === '*' || segment === want;
      }),
  );
}
