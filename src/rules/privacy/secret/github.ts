import { defineEntityRule } from '../entity-rule.js';

/** GitHub token (gitleaks: github-pat): see docs/rules/privacy/secret/github.md. */
export default defineEntityRule({
  entity: 'secret/github',
  title: 'GitHub token in data',
  what: 'GitHub token',
  severity: 'high',
  policy: 'CWE-798',
});
