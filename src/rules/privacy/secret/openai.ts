import { defineEntityRule } from '../entity-rule.js';

/** OpenAI API key (gitleaks: openai-api-key): see docs/rules/privacy/secret/openai.md. */
export default defineEntityRule({
  entity: 'secret/openai',
  title: 'OpenAI API key in data',
  what: 'OpenAI API key',
  severity: 'high',
  policy: 'CWE-798',
});
