import { defineEntityRule } from '../entity-rule.js';

/** PyPI upload token (gitleaks: pypi-upload-token): see docs/rules/privacy/secret/pypi.md. */
export default defineEntityRule({
  entity: 'secret/pypi',
  title: 'PyPI upload token in data',
  what: 'PyPI upload token',
  severity: 'high',
  policy: 'CWE-798',
});
