import { defineEntityRule } from './entity-rule.js';

/** US Social Security number in data: see docs/rules/privacy/us-ssn.md. */
export default defineEntityRule({
  entity: 'us-ssn',
  title: 'US Social Security number in data',
  what: 'Social Security number',
  severity: 'high',
  policy: 'CWE-359; NIST SP 800-122',
});
