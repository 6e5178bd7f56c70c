import type { LocatedHit } from '../../privacy/scan-file.js';
import type { ReadProblem } from '../../privacy/records.js';

/** One scanned data file for the `privacy/*` rules: its located hits and its read problems. */
export interface PrivacyInput {
  readonly hits: readonly LocatedHit[];
  readonly problems: readonly ReadProblem[];
}
