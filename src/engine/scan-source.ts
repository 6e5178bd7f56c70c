import type { ByteSource } from '../core/byte-source.js';
import { sortFindings, type Severity, type Verdict } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import { looksLikePickle } from '../formats/pickle/sniff.js';
import type { FileResult, ScanSummary } from './result.js';
import type { UnscannedPath } from './walk.js';
import { scanUnit, type FileScanState } from './scan-unit.js';
import type { DecodedUnits } from './unit.js';

// One top-level artifact from any ByteSource. This module imports no Node built-in, so the web
// bundle (src/web/) scans a browser File through it with the same dispatcher and rules as the CLI.

/**
 * Scans one artifact read through `source` as the file `displayPath`: its result, or 'skipped'
 * when it matches no format and was not named explicitly. Never throws for bad input.
 */
export async function scanSource(
  source: ByteSource,
  displayPath: string,
  explicit: boolean,
  limits: Limits,
  allowGlobals: readonly string[],
  internalErrors: string[],
  /** Keeps the top-level decodes for the loader (see DecodedUnits). */
  keepDecoded?: DecodedUnits,
): Promise<FileResult | 'skipped'> {
  const state: FileScanState = {
    options: { limits, allowGlobals, ...(keepDecoded === undefined ? {} : { keepDecoded }) },
    budget: { inflatedBytes: 0, deadline: Date.now() + limits.maxMillisPerFile },
    findings: [],
    members: [],
    internalErrors,
    looksLikePickle,
    strictUnknown: explicit,
  };
  const outcome = await scanUnit(state, displayPath, [], 0, source);
  if (outcome.unknown && !explicit) return 'skipped';
  return {
    path: displayPath,
    format: outcome.format,
    verdict: outcome.verdict,
    findings: sortFindings(state.findings),
    members: state.members,
    size: source.size,
  };
}

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
