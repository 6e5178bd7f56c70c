import { defineEntityRule } from '../entity-rule.js';

/** Credential of another provider (gitleaks: every): see docs/rules/privacy/secret/other.md. */
export default defineEntityRule({
  entity: 'secret/other',
  title: 'Credential of another provider in data',
  what: 'credential of another provider',
  severity: 'high',
  policy: 'CWE-798',
});
