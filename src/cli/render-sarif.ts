import type { RuleDescriptor } from '../core/rule-descriptor.js';
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
