import type { Severity } from './finding.js';

/** SARIF `level` of a finding or rule of each severity. */
export const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

// GitHub code scanning reads `security-severity` as a CVSS-like score: ≥9 critical, ≥7 high,
// ≥4 medium, >0 low.
/** `properties.security-severity` of a rule or result of each severity, as GitHub reads it. */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};
