import { defineEntityRule } from '../entity-rule.js';

/** Google Cloud credential (gitleaks: gcp-api-key): see docs/rules/privacy/secret/gcp.md. */
export default defineEntityRule({
  entity: 'secret/gcp',
  title: 'Google Cloud credential in data',
  what: 'Google Cloud credential',
  severity: 'high',
  policy: 'CWE-798',
});
