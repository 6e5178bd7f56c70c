import type { Severity, Verdict } from '../core/finding.js';
import type { FileResult, ScanSummary } from './result.js';
import type { UnscannedPath } from './walk.js';

/** The summary of a report over `files` (counts by verdict and severity), without its config use. */
export function summarize(
  files: readonly FileResult[],
  skipped: readonly string[],
  unreadable: readonly UnscannedPath[],
  internalErrors: readonly string[],
  durationMs: number,
): Omit<ScanSummary, 'config'> {
  const counts: Record<Verdict, number> = { safe: 0, suspicious: 0, malicious: 0, invalid: 0 };
  const bySeverity: Record<Severity, number> = { info: 0, low: 0, medium: 0, high: 0, critical: 0 };
  let audited = 0;
  let suppressed = 0;
  let unscanned = 0;
  for (const file of files) {
    if (file.format === 'unscanned') unscanned++;
    else if (file.verdict === null) audited++;
    else counts[file.verdict]++;
    for (const f of file.findings) {
      if (f.suppressed !== undefined) suppressed++;
      else bySeverity[f.severity]++;
    }
  }
  return {
    files: files.length,
    ...counts,
    audited,
    findings: bySeverity,
    suppressed,
    unscanned,
    skipped,
    unreadable,
    internalErrors,
    durationMs,
  };
}
