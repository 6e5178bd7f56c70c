import type { Confidence, Severity } from './finding.js';

/** What reporters need to know about a rule (SARIF driver rules, help links). */
export interface RuleDescriptor {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly confidence: Confidence;
  readonly policy: string;
  /** Repository-relative documentation path, e.g. docs/rules/pickle/unsafe-global.md. */
  readonly docs: string;
}

/** Base URL rule documentation links point into. */
export const DOCS_BASE_URL = 'https://github.com/torchward/torchward/blob/main/';
