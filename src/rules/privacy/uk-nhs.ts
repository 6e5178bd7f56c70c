import { defineEntityRule } from './entity-rule.js';

/** UK NHS number in data: see docs/rules/privacy/uk-nhs.md. */
export default defineEntityRule({
  entity: 'uk-nhs',
  title: 'UK NHS number in data',
  what: 'NHS number',
  severity: 'high',
  policy: 'UK GDPR Art. 9; CWE-359',
});
