import { sortFindings, type Finding } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import { PrivacyDetector } from '../privacy/detect.js';
import { privacyFormatOf } from '../privacy/records.js';
import { scanPrivacyFile } from '../privacy/scan-file.js';
import { describeRuleFailure, type RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import { loadRulesFor } from '../rules/families.js';
import { compileGlob } from './glob.js';
import type { PrivacySummary } from './result.js';

export { privacyFormatOf } from '../privacy/records.js';

/** The privacy scan of one data file, ready to join the scan report. */
export interface PrivacyAuditResult {
  readonly uri: string;
  readonly findings: Finding[];
  readonly summary: PrivacySummary;
  readonly internalErrors: readonly string[];
}

/**
 * Searches data files for personal data and secrets with every `privacy/*` rule (the
 * `scan --privacy` pass): one file at a time, streaming, with config `ignore` entries applied
 * (rule id → true or path globs). Never throws for bad input: read problems are
 * `privacy/malformed-input` findings.
 */
export async function auditPrivacyFiles(
  files: readonly { path: string; uri: string }[],
  options: { limits: Limits; ignore: Readonly<Record<string, true | readonly string[]>> },
): Promise<PrivacyAuditResult[]> {
  const detector = new PrivacyDetector();
  const privacyRules = await loadRulesFor('privacy');
  const out: PrivacyAuditResult[] = [];
  for (const file of files) {
    const format = privacyFormatOf(file.uri);
    if (format === undefined) continue;
    const scan = await scanPrivacyFile(file.path, file.uri, format, options.limits, detector);
    const failures: RuleFailure[] = [];
    const findings = runRules(
      'privacy',
      privacyRules,
      { hits: scan.hits, problems: scan.problems },
      { uri: file.uri, unit: 'char', options: {} },
      failures,
    ).map((f) => suppress(f, file.uri, options.ignore));
    const internalErrors = failures.map(describeRuleFailure);
    out.push({
      uri: file.uri,
      findings: sortFindings(findings),
      summary: {
        format,
        values: scan.values,
        hits: scan.totalHits,
        columns: scan.columns,
      },
      internalErrors,
    });
  }
  return out;
}

function suppress(
  finding: Finding,
  uri: string,
  ignore: Readonly<Record<string, true | readonly string[]>>,
): Finding {
  const entry = ignore[finding.ruleId];
  if (entry === undefined) return finding;
  const rel = uri.replace(/^\.\//, '');
  if (entry === true || entry.some((g) => compileGlob(g)(rel)))
    return {
      ...finding,
      suppressed: 'config',
      suppressionReason: `torchward.yml ignore: ${finding.ruleId}`,
    };
  return finding;
}
