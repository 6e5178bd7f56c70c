import { defineEntityRule } from '../entity-rule.js';

/** Azure credential (gitleaks: azure-ad-client-secret): see docs/rules/privacy/secret/azure.md. */
export default defineEntityRule({
  entity: 'secret/azure',
  title: 'Azure credential in data',
  what: 'Azure credential',
  severity: 'high',
  policy: 'CWE-798',
});
