import { defineEntityRule } from '../entity-rule.js';

/** Hugging Face token (gitleaks: huggingface-access-token): see docs/rules/privacy/secret/huggingface.md. */
export default defineEntityRule({
  entity: 'secret/huggingface',
  title: 'Hugging Face token in data',
  what: 'Hugging Face token',
  severity: 'high',
  policy: 'CWE-798',
});
