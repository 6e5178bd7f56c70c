import { defineEntityRule } from '../entity-rule.js';

/** Generic credential assignment (gitleaks: generic-api-key): see docs/rules/privacy/secret/generic.md. */
export default defineEntityRule({
  entity: 'secret/generic',
  title: 'Generic credential assignment in data',
  what: 'generic credential assignment',
  severity: 'medium',
  policy: 'CWE-798',
});
