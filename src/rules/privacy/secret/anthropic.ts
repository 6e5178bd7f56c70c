import { defineEntityRule } from '../entity-rule.js';

/** Anthropic API key (gitleaks: anthropic-api-key): see docs/rules/privacy/secret/anthropic.md. */
export default defineEntityRule({
  entity: 'secret/anthropic',
  title: 'Anthropic API key in data',
  what: 'Anthropic API key',
  severity: 'high',
  policy: 'CWE-798',
});
