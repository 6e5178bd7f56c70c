/** The sanitiser stage or detector layer that produced a guard finding. */
export type GuardStage =
  | 'decode'
  | 'invisible'
  | 'normalize'
  | 'rescan'
  | 'filter'
  | 'validate'
  | 'heuristic'
  | 'suffix'
  | 'model'
  | 'error';

/**
 * One observation about an input. Offsets are half-open [start, end) in UTF-16 code units of the
 * decoded input text as given (before any stripping), so a caller can highlight the original.
 */
export interface GuardFinding {
  readonly stage: GuardStage;
  /** Stable id, `<stage>/<name>` (e.g. `invisible/unicode-tags`). Codes are API. */
  readonly code: string;
  readonly message: string;
  readonly start: number;
  readonly end: number;
  /** How much this finding alone says "attack", 0..1 (the score it contributes). */
  readonly weight: number;
  /** Code points, hidden or decoded text, matched words: evidence for a reader. */
  readonly detail?: string;
}

/** How hard the guard blocks: the score threshold of each mode is in GUARD_THRESHOLDS. */
export type GuardMode = 'strict' | 'balanced' | 'permissive';

/** A per-record error: the record could not be judged and is flagged (fail closed). */
export interface GuardRecordError {
  /** `BAD_UTF8`, `LONE_SURROGATE`, `LIMIT_EXCEEDED`, `BAD_JSON`, `NOT_AN_OBJECT`, `NO_TEXT_FIELD`. */
  readonly code: string;
  readonly message: string;
}

/** The verdict on one input. */
export interface GuardResult {
  /** Calibrated probability-like score that the input is an injection or jailbreak, 0..1. */
  readonly score: number;
  /** score >= the mode's threshold, or the record could not be judged. */
  readonly flagged: boolean;
  readonly mode: GuardMode;
  /** Sorted by start, then code. */
  readonly findings: readonly GuardFinding[];
  /** The text after decode, strip, NFKC and filter (and encode when configured); null on error. */
  readonly sanitized: string | null;
  /** Per-layer scores that went into `score`. */
  readonly layers: {
    readonly sanitizer: number;
    readonly heuristic: number;
    readonly model: number;
  };
  readonly error?: GuardRecordError;
}
