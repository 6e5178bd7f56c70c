import type { Confidence } from '../core/finding.js';
import type { KeywordSearch } from './keywords.js';
import { RECOGNIZERS, type Recognizer } from './recognizers.js';
import { defaultSecretRules, findSecrets, type SecretRules } from './secrets.js';

/** One sensitive value found in a text, with offsets into that text. */
export interface PrivacyHit {
  /** Rule name under `privacy/` (`email`, `secret/aws`, `private-key`). */
  readonly entity: string;
  /** [start, end) in UTF-16 code units of the text searched. */
  readonly start: number;
  readonly end: number;
  /** The value itself: for masking and redaction only, never printed. */
  readonly value: string;
  readonly confidence: Confidence;
  /** A published example or documentation value: reported as info. */
  readonly example: boolean;
  /** Card brand, IBAN country, NIF/NIE, or the gitleaks rule id of a secret. */
  readonly detail?: string;
}

/** Which detectors run. */
export interface DetectorOptions {
  /** Run gitleaks' secret rules (default true). */
  readonly secrets?: boolean;
  /** Restrict to these rule names (default: all). */
  readonly entities?: ReadonlySet<string>;
  /**
   * Start gitleaks rules' searches at their stated anchors (secrets.ts SEARCH_HINTS; default
   * true). False is the reference the differential test and bench compare against.
   */
  readonly searchHints?: boolean;
}

/**
 * True when no pattern recogniser can match in `text`: it holds no digit and no '@' (every
 * recogniser needs one; detect() skips them all then), or it is a bare integer of at most 8
 * digits (the shortest all-digit candidate, an unseparated SSN, has 9; the other recognisers need
 * a separator, a letter, a '+', a '.', a ':' or an '@'). Secrets are not covered: see
 * secretsPossible. differential.test.ts checks the claim on every recogniser.
 */
export function noRecognizerCanMatch(text: string): boolean {
  return !DIGIT_OR_AT.test(text) || SHORT_INTEGER.test(text);
}
const DIGIT_OR_AT = /[\d@]/;
const SHORT_INTEGER = /^-?\d{1,8}$/;

/** Characters before a match searched for context words. */
const CONTEXT_CHARS = 48;
const RAISE: Readonly<Record<Confidence, Confidence>> = {
  low: 'medium',
  medium: 'high',
  high: 'high',
};

/**
 * Finds personal data and secrets in text values: the pattern recognisers with their
 * validators and context words (recognizers.ts) and gitleaks' secret rules (secrets.ts).
 * Every pattern is linear-time (JS patterns checked by eslint-plugin-regexp, gitleaks' under
 * RE2 semantics), so a hostile value cannot make a search backtrack.
 */
export class PrivacyDetector {
  private readonly recognizers: readonly (Recognizer & { readonly contextPattern: RegExp })[];
  private readonly secretRules: SecretRules | undefined;
  private readonly entities: ReadonlySet<string> | undefined;
  private readonly hints: boolean;

  constructor(options: DetectorOptions = {}) {
    this.entities = options.entities;
    this.hints = options.searchHints !== false;
    this.recognizers = RECOGNIZERS.filter(
      (r) => options.entities === undefined || options.entities.has(r.entity),
    ).map((r) => ({
      ...r,
      contextPattern: new RegExp(
        `(?:^|[^a-z])(?:${r.context.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`,
      ),
    }));
    this.secretRules = options.secrets === false ? undefined : defaultSecretRules();
  }

  /**
   * False when no secret rule can match in `text` or in any substring of it: no rule keyword
   * occurs (gitleaks' prefilter) and every rule has keywords. With false, a substring of `text`
   * holding neither a digit nor an '@' has no hits at all (every recogniser needs one of them).
   */
  secretsPossible(text: string): boolean {
    const rules = this.secretRules;
    // selectRules(rules, text).size > 0, without building the set: stops at the first keyword.
    return rules !== undefined && (rules.always.length > 0 || rules.keywords.any(text));
  }

  /**
   * The keyword search that alone decides secretsPossible (true exactly when it finds a
   * keyword), null when secretsPossible is always false (no secret rules), undefined when it
   * is not decided by keywords alone (a rule without keywords runs on every text).
   */
  secretKeywords(): KeywordSearch | null | undefined {
    const rules = this.secretRules;
    if (rules === undefined) return null;
    return rules.always.length > 0 ? undefined : rules.keywords;
  }

  /**
   * The hits in `text`, sorted by start, without overlaps (the higher-priority detector wins:
   * secrets, then checksum-validated entities, then the rest). `column` (a CSV header or JSON
   * key path) counts as context for every match; `uri` feeds gitleaks' path allowlists.
   */
  detect(text: string, column = '', uri = ''): PrivacyHit[] {
    const candidates: (PrivacyHit & { priority: number })[] = [];
    if (this.secretRules !== undefined) {
      for (const s of findSecrets(this.secretRules, text, uri, { hints: this.hints })) {
        if (this.entities !== undefined && !this.entities.has(s.rule.entity)) continue;
        const confidence: Confidence =
          s.checksum === false ? 'low' : s.rule.entity === 'secret/generic' ? 'medium' : 'high';
        candidates.push({
          entity: s.rule.entity,
          start: s.start,
          end: s.end,
          value: s.secret,
          confidence,
          example: s.example === true,
          detail: s.checksum === false ? `${s.rule.id}, checksum mismatch` : s.rule.id,
          // A provider's own rule says more than the generic assignment rule on the same value.
          priority: s.rule.entity === 'secret/generic' ? 95 : 100,
        });
      }
    }
    // Every recogniser needs a digit or an '@' (dates of birth by month name need a year).
    if (DIGIT_OR_AT.test(text)) {
      const columnLower = column.toLowerCase();
      const hasAt = text.includes('@');
      for (const r of this.recognizers) {
        // An email needs an '@': skip its pattern (the costliest on plain text) without one.
        if (r.entity === 'email' && !hasAt) continue;
        const columnContext = columnLower !== '' && r.contextPattern.test(columnLower);
        const pattern = r.pattern;
        pattern.lastIndex = 0;
        // exec, not matchAll: matchAll copies the pattern on every call.
        for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
          const start = m.index;
          const verdict = r.validate(m[0]);
          if (verdict.confidence === undefined) continue;
          const value = verdict.length === undefined ? m[0] : m[0].slice(0, verdict.length);
          const before = text.slice(Math.max(0, start - CONTEXT_CHARS), start).toLowerCase();
          const context = columnContext || r.contextPattern.test(before);
          if (r.needsContext && !context) continue;
          candidates.push({
            entity: r.entity,
            start,
            end: start + value.length,
            value,
            confidence: context ? RAISE[verdict.confidence] : verdict.confidence,
            example: verdict.example === true,
            ...(verdict.detail === undefined ? {} : { detail: verdict.detail }),
            priority: r.priority,
          });
        }
      }
    }
    if (candidates.length === 0) return [];
    const kept = keepWithoutOverlaps(candidates).map((c): PrivacyHit => ({
      entity: c.entity,
      start: c.start,
      end: c.end,
      value: c.value,
      confidence: c.confidence,
      example: c.example,
      ...(c.detail === undefined ? {} : { detail: c.detail }),
    }));
    return kept.sort((a, b) => a.start - b.start || (a.entity < b.entity ? -1 : 1));
  }
}

/** A candidate span with the priority of the detector that found it. */
export interface PrioritisedSpan {
  readonly start: number;
  readonly end: number;
  readonly priority: number;
}

/**
 * The candidates kept when higher priority wins and, within one priority, the earlier start
 * wins: a candidate is dropped when it overlaps ([start, end) intersects) one kept before it.
 * Empty spans are dropped (they mark nothing). Returned sorted by start. O(n log n): one value can hold hundreds of thousands of hits (a
 * megabyte of e-mail addresses), so the check against every kept span, O(n^2), would let one
 * hostile record stall a scan for minutes.
 */
export function keepWithoutOverlaps<T extends PrioritisedSpan>(candidates: readonly T[]): T[] {
  const sorted = candidates
    .filter((c) => c.start < c.end)
    .sort((a, b) => b.priority - a.priority || a.start - b.start);
  // Kept spans of the priorities done so far, sorted by start and pairwise disjoint (and not
  // empty), so their ends are sorted too; `group` collects the current priority's spans and is
  // merged in when that priority ends.
  let kept: T[] = [];
  let group: T[] = [];
  let priority = Number.NaN;
  for (const c of sorted) {
    if (c.priority !== priority) {
      kept = mergeByStart(kept, group);
      group = [];
      priority = c.priority;
    }
    // Within a priority the starts ascend, so only the last span kept can reach this one.
    const last = group[group.length - 1];
    if (last !== undefined && overlaps(last, c)) continue;
    const i = firstEndingAfter(kept, c.start);
    const next = kept[i];
    if (next !== undefined && overlaps(next, c)) continue;
    group.push(c);
  }
  return mergeByStart(kept, group);
}

function overlaps(a: PrioritisedSpan, b: PrioritisedSpan): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Index of the first span whose end is after `at` (spans sorted by end). */
function firstEndingAfter(spans: readonly PrioritisedSpan[], at: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = spans[mid];
    if (s !== undefined && s.end > at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function mergeByStart<T extends PrioritisedSpan>(a: T[], b: T[]): T[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: T[] = [];
  let i = 0;
  let j = 0;
  for (let x = a[i], y = b[j]; x !== undefined || y !== undefined; x = a[i], y = b[j]) {
    if (x !== undefined && (y === undefined || x.start <= y.start)) {
      out.push(x);
      i++;
    } else if (y !== undefined) {
      out.push(y);
      j++;
    }
  }
  return out;
}
