import { defineEntityRule } from '../entity-rule.js';

/** Slack token or webhook (gitleaks: slack-bot-token): see docs/rules/privacy/secret/slack.md. */
export default defineEntityRule({
  entity: 'secret/slack',
  title: 'Slack token or webhook in data',
  what: 'Slack token or webhook',
  severity: 'high',
  policy: 'CWE-798',
});
