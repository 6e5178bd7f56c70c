import type { LoadError } from '../../loader/errors.js';

/** Most findings listed under a refusal; the rest are counted (run `torchward scan` for all). */
const MAX_LISTED = 10;

/**
 * The scanner's findings behind a NOT_SAFE refusal, one per line for stderr; empty for other
 * refusals (their message says everything).
 */
export function describeRefusal(error: LoadError): string {
  if (error.code !== 'NOT_SAFE') return '';
  const open = error.findings.filter((f) => f.suppressed === undefined);
  const lines = open
    .slice(0, MAX_LISTED)
    .map((f) => `  ${f.primary.uri}: ${f.severity} ${f.ruleId}: ${f.message}\n`);
  if (open.length > MAX_LISTED) {
    lines.push(`  … ${open.length - MAX_LISTED} more (run 'torchward scan' for the full report)\n`);
  }
  return lines.join('');
}
