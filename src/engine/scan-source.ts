import type { ByteSource } from '../core/byte-source.js';
import { sortFindings } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import { looksLikePickle } from '../formats/pickle/sniff.js';
import type { FileResult } from './result.js';
import { scanUnit, type FileScanState } from './scan-unit.js';
import type { DecodedUnits } from './decoded-units.js';

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

export { summarize } from './summary.js';
