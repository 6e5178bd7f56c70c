import { defineEntityRule } from './entity-rule.js';

/** IBAN in data: see docs/rules/privacy/iban.md. */
export default defineEntityRule({
  entity: 'iban',
  title: 'IBAN in data',
  what: 'IBAN',
  severity: 'medium',
  policy: 'GDPR Art. 4(1); CWE-359',
});
