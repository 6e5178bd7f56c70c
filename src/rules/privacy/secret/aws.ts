import { defineEntityRule } from '../entity-rule.js';

/** AWS credential (gitleaks: aws-access-token): see docs/rules/privacy/secret/aws.md. */
export default defineEntityRule({
  entity: 'secret/aws',
  title: 'AWS credential in data',
  what: 'AWS credential',
  severity: 'high',
  policy: 'CWE-798',
});
