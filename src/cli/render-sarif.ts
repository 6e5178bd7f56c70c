import type { RuleDescriptor } from '../core/rule-descriptor.js';
import { endpointFindings, PROBE_RULES } from '../probe/render.js';
import type { ProbeReport } from '../probe/run.js';
import type { ReportInput } from '../reporters/report-model.js';
import { renderSarif as renderSarifLog, type SarifOptions } from '../reporters/sarif.js';
import { informationUri, ruleDescriptors } from './rule-descriptors.js';

/**
 * Renders a scan report as SARIF 2.1.0 for GitHub code scanning. With the report alone, every
 * registered rule is known, with its documentation page as help; pass `rules` to describe rules
 * of your own.
 */
export function renderSarif(
  report: ReportInput,
  rules: readonly RuleDescriptor[] = ruleDescriptors(),
  options: SarifOptions = {},
): string {
  const info = options.informationUri ?? informationUri();
  return renderSarifLog(report, rules, {
    ...options,
    ...(info === undefined ? {} : { informationUri: info }),
  });
}

/**
 * Renders a probe report as SARIF 2.1.0 through the same renderer as scans: one result per
 * endpoint with a severity, located at the relative path `probe/HOST_PORT` (line 1) with the
 * `tcp://` address as its logical location and `endpoint` property.
 */
export function renderProbeSarif(report: ProbeReport): string {
  const found = endpointFindings(report);
  const files = found.map(({ path, finding }) => ({
    path,
    format: 'endpoint',
    verdict: null,
    findings: [finding],
    members: [],
    size: 0,
  }));
  const bySeverity: Record<string, number> = {};
  for (const { finding } of found) {
    bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
  }
  const input: ReportInput = {
    version: 1,
    tool: report.tool,
    files,
    summary: {
      files: files.length,
      safe: 0,
      suspicious: 0,
      malicious: 0,
      invalid: 0,
      audited: files.length,
      findings: bySeverity,
      suppressed: 0,
      skipped: [],
      unreadable: [],
      internalErrors: [],
      durationMs: report.durationMs,
    },
  };
  return renderSarif(input, PROBE_RULES);
}
