import { defineEntityRule } from './entity-rule.js';

/** Phone number in data: see docs/rules/privacy/phone.md. */
export default defineEntityRule({
  entity: 'phone',
  title: 'Phone number in data',
  what: 'phone number',
  severity: 'low',
  policy: 'GDPR Art. 4(1); CWE-359',
});
