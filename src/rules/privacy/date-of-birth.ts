import { defineEntityRule } from './entity-rule.js';

/** Date of birth in data: see docs/rules/privacy/date-of-birth.md. */
export default defineEntityRule({
  entity: 'date-of-birth',
  title: 'Date of birth in data',
  what: 'date of birth',
  severity: 'medium',
  policy: 'GDPR Art. 4(1); CWE-359',
});
