import type { Confidence, Severity } from './finding.js';

/** What reporters need to know about a rule (SARIF driver rules, help text and links). */
export interface RuleDescriptor {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly confidence: Confidence;
  readonly policy: string;
  /** Repository-relative documentation path, e.g. docs/rules/pickle/dangerous-global.md. */
  readonly docs: string;
  /** The rule's documentation page as Markdown (SARIF `help.markdown`), when it could be read. */
  readonly helpMarkdown?: string;
  /** Absolute URL of the rule's page (SARIF `helpUri`), only when that page is known to exist. */
  readonly helpUri?: string;
}
