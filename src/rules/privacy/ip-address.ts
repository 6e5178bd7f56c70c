import { defineEntityRule } from './entity-rule.js';

/** IP address in data: see docs/rules/privacy/ip-address.md. */
export default defineEntityRule({
  entity: 'ip-address',
  title: 'IP address in data',
  what: 'IP address',
  severity: 'low',
  policy: 'GDPR Recital 30; CWE-359',
});
