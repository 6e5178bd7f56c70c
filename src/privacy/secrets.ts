import { readFileSync } from 'node:fs';
import { RE2JS } from 're2js';
import { parse as parseToml } from 'smol-toml';
import { KeywordSearch } from './keywords.js';
import { githubTokenChecksum, shannonEntropy } from './validators.js';

/** One allowlist of a gitleaks rule (or the global one): a finding it matches is dropped. */
interface Allowlist {
  readonly and: boolean;
  readonly target: 'secret' | 'match' | 'line';
  readonly regexes: readonly RE2JS[];
  readonly stopwords: readonly string[];
  readonly paths: readonly RE2JS[];
}

/** A gitleaks rule compiled for RE2 semantics (linear time whatever the input). */
export interface SecretRule {
  /** gitleaks' rule id (`aws-access-token`). */
  readonly id: string;
  readonly description: string;
  /** The torchward rule name it reports under (`secret/aws`, `private-key`). */
  readonly entity: string;
  /** The RE2 pattern, compiled on first use (compiling all 221 up front costs about a second). */
  readonly pattern: string;
  readonly secretGroup: number;
  readonly entropy: number;
  /** Lower-case keywords; the regex runs only on text that contains one (gitleaks' prefilter). */
  readonly keywords: readonly string[];
  readonly path?: RE2JS;
  readonly allowlists: readonly Allowlist[];
}

/** A secret found by a gitleaks rule, with offsets into the text searched. */
export interface SecretMatch {
  readonly rule: SecretRule;
  /** The secret (the rule's secret group), [start, end) in UTF-16 units. */
  readonly start: number;
  readonly end: number;
  readonly secret: string;
  /** The whole regex match. */
  readonly match: string;
  /** False when a provider checksum exists and does not match (GitHub tokens). */
  readonly checksum?: boolean;
  /**
   * An allowlisted value that says it is an example (`AKIAIOSFODNN7EXAMPLE`): gitleaks drops it,
   * torchward reports it as an example (info), so a reader sees why it is not a leak.
   */
  readonly example?: boolean;
}

/** Providers with a rule of their own (`privacy/secret/<provider>`); the rest is `other`. */
const PROVIDERS: readonly (readonly [RegExp, string])[] = [
  [/^private-key$/, 'private-key'],
  [/^aws-/, 'secret/aws'],
  [/^github-/, 'secret/github'],
  [/^gitlab-/, 'secret/gitlab'],
  [/^slack-/, 'secret/slack'],
  [/^openai-/, 'secret/openai'],
  [/^anthropic-/, 'secret/anthropic'],
  [/^huggingface-/, 'secret/huggingface'],
  [/^(?:gcp|google)-/, 'secret/gcp'],
  [/^azure-/, 'secret/azure'],
  [/^stripe-/, 'secret/stripe'],
  [/^jwt/, 'secret/jwt'],
  [/^npm-/, 'secret/npm'],
  [/^pypi-/, 'secret/pypi'],
  [/^generic-/, 'secret/generic'],
];

/** The rule name a gitleaks rule id reports under. */
export function secretEntity(gitleaksId: string): string {
  for (const [pattern, entity] of PROVIDERS) if (pattern.test(gitleaksId)) return entity;
  return 'secret/other';
}

/** The gitleaks rule set and its global allowlist, compiled once. */
export interface SecretRules {
  readonly rules: readonly SecretRule[];
  readonly global: Allowlist;
  /** Every keyword in one Aho-Corasick automaton, so a text is read once for all prefilters. */
  readonly keywords: KeywordSearch;
  /** Rules without keywords: they run on every text. */
  readonly always: readonly SecretRule[];
  /** The rules of each keyword, by its index in `keywords`. */
  readonly byKeyword: readonly (readonly SecretRule[])[];
}

let loaded: SecretRules | undefined;

/**
 * The secret rules shipped with torchward: gitleaks' default rule file (MIT, copied unchanged
 * in src/privacy/data/gitleaks.toml), compiled with re2js. Loaded once per process.
 */
export function defaultSecretRules(): SecretRules {
  loaded ??= compileSecretRules(
    readFileSync(new URL('./data/gitleaks.toml', import.meta.url), 'utf8'),
  );
  return loaded;
}

/**
 * Reads a gitleaks configuration (TOML text). Each rule's pattern compiles on first use, and
 * throws then if RE2 rejects it (all 221 regex rules of the shipped file compile).
 */
export function compileSecretRules(toml: string): SecretRules {
  const doc = parseToml(toml) as Record<string, unknown>;
  const rules: SecretRule[] = [];
  for (const raw of asArray(doc.rules)) {
    const r = raw as Record<string, unknown>;
    const id = String(r.id);
    // Rules that match only file names (no regex) do not apply to data values.
    if (typeof r.regex !== 'string') continue;
    const lists = asArray(r.allowlists).map((a) => allowlist(a as Record<string, unknown>));
    if (r.allowlist !== undefined) lists.push(allowlist(r.allowlist as Record<string, unknown>));
    rules.push({
      id,
      description: typeof r.description === 'string' ? r.description : '',
      entity: secretEntity(id),
      pattern: r.regex,
      secretGroup: typeof r.secretGroup === 'number' ? r.secretGroup : 0,
      entropy: typeof r.entropy === 'number' ? r.entropy : 0,
      keywords: asArray(r.keywords).map((k) => String(k).toLowerCase()),
      ...(typeof r.path === 'string' ? { path: RE2JS.compile(r.path) } : {}),
      allowlists: lists,
    });
  }
  const byKeyword = new Map<string, SecretRule[]>();
  for (const rule of rules) {
    for (const k of rule.keywords) {
      const list = byKeyword.get(k) ?? [];
      list.push(rule);
      byKeyword.set(k, list);
    }
  }
  const keys = [...byKeyword.keys()];
  return {
    rules,
    global: allowlist((doc.allowlist ?? {}) as Record<string, unknown>),
    keywords: new KeywordSearch(keys),
    always: rules.filter((r) => r.keywords.length === 0),
    byKeyword: keys.map((k) => byKeyword.get(k) ?? []),
  };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function allowlist(a: Record<string, unknown>): Allowlist {
  const target = a.regexTarget === 'match' || a.regexTarget === 'line' ? a.regexTarget : 'secret';
  return {
    and: String(a.condition).toUpperCase() === 'AND',
    target,
    regexes: asArray(a.regexes).map((r) => RE2JS.compile(String(r))),
    stopwords: asArray(a.stopwords).map((s) => String(s).toLowerCase()),
    paths: asArray(a.paths).map((r) => RE2JS.compile(String(r))),
  };
}

function allowed(
  list: Allowlist,
  secret: string,
  match: string,
  line: string,
  uri: string,
): boolean {
  // gitleaks' condition over the checks the list has (OR unless it says AND), decided as soon
  // as the answer is known: each check is a pure function of its inputs, so the order and the
  // skipped checks do not change the answer. Cheapest first; the path check once per uri.
  let checks = 0;
  let passed = 0;
  const decided = (ok: boolean): boolean => {
    checks++;
    if (ok) passed++;
    return list.and ? !ok : ok;
  };
  if (list.stopwords.length > 0) {
    const lower = secret.toLowerCase();
    if (decided(list.stopwords.some((w) => lower.includes(w)))) return !list.and;
  }
  if (list.paths.length > 0 && decided(pathAllowed(list, uri))) return !list.and;
  if (list.regexes.length > 0) {
    const subject = list.target === 'secret' ? secret : list.target === 'match' ? match : line;
    if (decided(list.regexes.some((r) => r.matcher(subject).find()))) return !list.and;
  }
  // Not decided early: AND with every check passed, or OR with none passed (or no checks).
  return checks > 0 && list.and && passed === checks;
}

/** The last uri's answer per allowlist: a file's hits all share its uri. */
const PATH_ANSWERS = new WeakMap<Allowlist, { readonly uri: string; readonly ok: boolean }>();

function pathAllowed(list: Allowlist, uri: string): boolean {
  const last = PATH_ANSWERS.get(list);
  if (last?.uri === uri) return last.ok;
  const ok = list.paths.some((r) => r.matcher(uri).find());
  PATH_ANSWERS.set(list, { uri, ok });
  return ok;
}

/**
 * The rules whose regex must run on `text`: those without keywords, and those with a keyword
 * that `text.toLowerCase()` contains (gitleaks' prefilter), found in one pass.
 */
export function selectRules(rules: SecretRules, text: string): Set<SecretRule> {
  let hit: Set<SecretRule> | undefined;
  rules.keywords.search(text, (k) => {
    hit ??= new Set();
    for (const rule of rules.byKeyword[k] ?? []) hit.add(rule);
  });
  if (hit === undefined) return new Set(rules.always);
  const found = hit;
  // In the rule file's order, whatever order the keywords occur in: when two rules match the
  // same span, the same one is kept.
  return new Set(rules.rules.filter((r) => r.keywords.length === 0 || found.has(r)));
}

/**
 * Finds secrets in `text` with every rule whose keyword occurs in it (case-insensitive), as
 * gitleaks does: the secret group, the entropy floor, generic rules needing a digit, and the
 * rule and global allowlists (`uri` is matched against path allowlists).
 */
export function findSecrets(
  rules: SecretRules,
  text: string,
  uri = '',
  /** `hints: false` searches every rule from the text's start (the differential test's reference). */
  options: { readonly hints?: boolean } = {},
): SecretMatch[] {
  const selected = selectRules(rules, text);
  if (selected.size === 0) return [];
  const out: SecretMatch[] = [];
  for (const rule of selected) {
    if (rule.path !== undefined && !rule.path.matcher(uri).find()) continue;
    const hint = options.hints === false ? undefined : searchHint(rule);
    let from = 0;
    if (hint !== undefined) {
      from = hintedStart(hint, text, 0);
      // No anchor in the text: the rule cannot match.
      if (from < 0) continue;
    }
    const regex = compiled(rule);
    const matcher = regex.matcher(text);
    const groups = regex.groupCount();
    for (let found = matcher.find(from); found; found = findNext(matcher, hint, text)) {
      const match = matcher.group() ?? '';
      let group = rule.secretGroup;
      if (group === 0 && groups > 0) {
        // gitleaks takes the first capture group that matched when no secretGroup is named.
        for (let g = 1; g <= groups; g++) {
          if ((matcher.group(g) ?? '') !== '') {
            group = g;
            break;
          }
        }
      }
      const secret = matcher.group(group) ?? '';
      if (secret === '') continue;
      if (rule.entropy > 0 && shannonEntropy(secret) <= rule.entropy) continue;
      if (rule.id.startsWith('generic') && !/\d/.test(secret)) continue;
      const start = matcher.start(group);
      const line = lineAround(text, start);
      const allowlisted =
        allowed(rules.global, secret, match, line, uri) ||
        rule.allowlists.some((l) => allowed(l, secret, match, line, uri));
      const example = /example/i.test(secret);
      if (allowlisted && !example) continue;
      const checksum = rule.entity === 'secret/github' ? githubTokenChecksum(secret) : undefined;
      out.push({
        rule,
        start,
        end: matcher.end(group),
        secret,
        match,
        ...(checksum === undefined ? {} : { checksum }),
        ...(example ? { example } : {}),
      });
    }
  }
  return out;
}

/**
 * Where a rule's match can start (see SEARCH_HINTS), stated per rule and checked by test/privacy/differential.test.ts
 * (every hit equal with and without the hint): each match of the rule starts at most `lead`
 * UTF-16 units before an occurrence of `anchor`, so a text without one has no match and the
 * search can begin `lead` units before the first one. re2js's capture search (its NFA or
 * backtracker, no DFA) costs time for every character it passes, so starting near the anchor
 * is most of the cost of a rule whose keyword appears late in a long value. `pattern` is the
 * gitleaks regex the facts were derived from: a rule with another pattern gets no hint.
 */
export interface SearchHint {
  readonly pattern: string;
  /** Global (lastIndex is set before each use). */
  readonly anchor: RegExp;
  readonly lead: number;
  /**
   * Every one of those `lead` units matches this class, so a match also starts after the last
   * unit before the anchor that does not.
   */
  readonly leadClass?: RegExp;
}

/** The search hints by gitleaks rule id (exported for the test that checks they apply). */
export const SEARCH_HINTS: ReadonlyMap<string, SearchHint> = new Map([
  [
    // `\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`: case-sensitive, the match begins
    // with one of the five prefixes (\b is empty).
    'aws-access-token',
    {
      pattern: String.raw`\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`,
      anchor: /A(?:3T|KIA|SIA|BIA|CCA)/g,
      lead: 0,
    },
  ],
  [
    // `(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|
    // token)…`: the match begins with at most 50 characters of [\w.-] (under (?i) also U+017F and
    // U+212A, each one UTF-16 unit) before one of the words. The anchor is a superset of the
    // words under RE2's case folding: ASCII case, U+017F LONG S for s and U+212A KELVIN SIGN for
    // k (JavaScript's non-Unicode /i folds neither), `api` in any case.
    'generic-api-key',
    {
      pattern: String.raw`(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})(?:[\x60'"\s;]|\\[nr]|$)`,
      anchor:
        /acce[s\u017F][s\u017F]|auth|api|credential|cred[s\u017F]|[k\u212A]ey|pa[s\u017F][s\u017F]w(?:or)?d|[s\u017F]ecret|token/gi,
      lead: 50,
      leadClass: /[\w.\u017F\u212A-]/,
    },
  ],
]);

function searchHint(rule: SecretRule): SearchHint | undefined {
  const hint = SEARCH_HINTS.get(rule.id);
  return hint?.pattern === rule.pattern ? hint : undefined;
}

/** The earliest start a match at or after `from` can have, or -1 when none can exist. */
function hintedStart(hint: SearchHint, text: string, from: number): number {
  hint.anchor.lastIndex = from;
  const a = hint.anchor.exec(text);
  if (a === null) return -1;
  const earliest = Math.max(from, a.index - hint.lead);
  if (hint.leadClass === undefined) return earliest;
  let start = a.index;
  // A later anchor's run of lead characters cannot begin before this one's: the anchors are
  // words, themselves in the class, so the runs join.
  while (start > earliest && hint.leadClass.test(text.charAt(start - 1))) start--;
  return start;
}

/**
 * The next match after the current one: re2js's find() continues at the current match's end
 * (stepping one character past an empty match); with a hint the search starts at the hinted
 * start instead, which no match lies before.
 */
function findNext(
  matcher: ReturnType<RE2JS['matcher']>,
  hint: SearchHint | undefined,
  text: string,
): boolean {
  const end = matcher.end();
  if (hint === undefined || matcher.start() === end) return matcher.find();
  const at = hintedStart(hint, text, end);
  return at >= 0 && matcher.find(at);
}

const COMPILED = new WeakMap<SecretRule, RE2JS>();

function compiled(rule: SecretRule): RE2JS {
  let regex = COMPILED.get(rule);
  if (regex === undefined) {
    regex = RE2JS.compile(rule.pattern);
    COMPILED.set(rule, regex);
  }
  return regex;
}

function lineAround(text: string, at: number): string {
  const start = text.lastIndexOf('\n', at) + 1;
  const end = text.indexOf('\n', at);
  return text.slice(start, end < 0 ? text.length : end);
}
