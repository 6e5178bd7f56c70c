import { defineEntityRule } from '../entity-rule.js';

/** npm token (gitleaks: npm-access-token): see docs/rules/privacy/secret/npm.md. */
export default defineEntityRule({
  entity: 'secret/npm',
  title: 'npm token in data',
  what: 'npm token',
  severity: 'high',
  policy: 'CWE-798',
});
