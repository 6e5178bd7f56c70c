import { defineEntityRule } from './entity-rule.js';

/** Email address in data: see docs/rules/privacy/email.md. */
export default defineEntityRule({
  entity: 'email',
  title: 'Email address in data',
  what: 'email address',
  severity: 'low',
  policy: 'GDPR Art. 4(1); CWE-359',
});
