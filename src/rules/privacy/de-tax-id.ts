import { defineEntityRule } from './entity-rule.js';

/** German tax identification number in data: see docs/rules/privacy/de-tax-id.md. */
export default defineEntityRule({
  entity: 'de-tax-id',
  title: 'German tax identification number in data',
  what: 'German tax id',
  severity: 'medium',
  policy: 'GDPR Art. 87; CWE-359',
});
