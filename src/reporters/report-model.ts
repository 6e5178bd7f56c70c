// The shapes reporters read are core's report model (src/core/report-model.ts), the same one the
// engine's results extend; this module adds what only rendering needs.
export type { ReportFile, ReportInput } from '../core/report-model.js';

/** The member chain of a finding's uri inside `file` ('' for the file itself). */
export function memberOf(filePath: string, uri: string): string {
  const prefix = `${filePath}!/`;
  return uri.startsWith(prefix) ? uri.slice(prefix.length) : '';
}
