import { defineEntityRule } from '../entity-rule.js';

/** JSON Web Token (gitleaks: jwt): see docs/rules/privacy/secret/jwt.md. */
export default defineEntityRule({
  entity: 'secret/jwt',
  title: 'JSON Web Token in data',
  what: 'JSON Web Token',
  severity: 'high',
  policy: 'CWE-798',
});
