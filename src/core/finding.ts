/** Impact if the finding is real. */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
/** How sure the rule is. */
export type Confidence = 'low' | 'medium' | 'high';
/**
 * A model artifact's verdict. `safe` only when proven safe; anything unknown is never `safe`.
 * Order of precedence when several findings apply: malicious > suspicious > invalid > safe.
 */
export type Verdict = 'safe' | 'suspicious' | 'malicious' | 'invalid';

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
export const VERDICTS: readonly Verdict[] = ['safe', 'invalid', 'suspicious', 'malicious'];

/** Half-open [start, end): UTF-16 code units in text inputs, bytes in binary inputs. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Location {
  /** Relative, '/'-separated; 'model.zip!/archive/data.pkl' when nested. */
  readonly uri: string;
  readonly unit: 'char' | 'byte';
  readonly span: Span;
  /** Logical path: YAML path for workflows, ['archive/data.pkl'] style member chain for archives. */
  readonly path: readonly (string | number)[];
  readonly label?: string;
  /**
   * 1-based line, for text the report does not keep (privacy scans of large datasets stream
   * their text and keep none); reporters otherwise compute lines from the file's text.
   */
  readonly line?: number;
}

export interface Finding {
  readonly ruleId: string;
  readonly messageId: string;
  readonly message: string;
  readonly severity: Severity;
  readonly confidence: Confidence;
  /** The kind of sensitive value a privacy finding is about (`email`, `secret/aws`). */
  readonly entity?: string;
  /** The verdict this finding forces on a model artifact; absent for audit findings (workflows). */
  readonly verdict?: Verdict;
  readonly primary: Location;
  readonly related: readonly Location[];
  /** A code-smell finding reported only in pedantic mode (workflow audit). */
  readonly pedantic?: true;
  readonly suppressed?: 'inline' | 'config';
  /** Why it was suppressed (the inline comment's reason or the config entry). */
  readonly suppressionReason?: string;
  /**
   * Facts about the finding a reporter shows beside it (SARIF result properties), for findings
   * about something other than a file (the probe's endpoints: address, service).
   */
  readonly properties?: Readonly<Record<string, string | number | boolean | null>>;
}

export const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];

/** The lower of two confidences. */
export function lowerConfidence(a: Confidence, b: Confidence): Confidence {
  return CONFIDENCES.indexOf(a) <= CONFIDENCES.indexOf(b) ? a : b;
}

/** Compares severities: negative when a < b. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** The verdict that wins when a file carries findings with verdicts `a` and `b`. */
export function worseVerdict(a: Verdict, b: Verdict): Verdict {
  return VERDICTS.indexOf(a) >= VERDICTS.indexOf(b) ? a : b;
}

/** Sorts findings by uri, span start, then rule id, as every reporter expects. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (x, y) =>
      compareText(x.primary.uri, y.primary.uri) ||
      // Streamed text keeps lines, not file offsets (privacy scans): order by line first.
      (x.primary.line ?? 0) - (y.primary.line ?? 0) ||
      x.primary.span.start - y.primary.span.start ||
      compareText(x.ruleId, y.ruleId) ||
      compareText(x.message, y.message),
  );
}

/** Code-unit order, independent of locale, so output is deterministic. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
