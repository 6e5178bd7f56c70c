import { defineEntityRule } from './entity-rule.js';

/** Private key in data: see docs/rules/privacy/private-key.md. */
export default defineEntityRule({
  entity: 'private-key',
  title: 'Private key in data',
  what: 'private key',
  severity: 'high',
  policy: 'CWE-321; CWE-798',
});
