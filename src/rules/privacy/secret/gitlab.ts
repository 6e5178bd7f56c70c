import { defineEntityRule } from '../entity-rule.js';

/** GitLab token (gitleaks: gitlab-pat): see docs/rules/privacy/secret/gitlab.md. */
export default defineEntityRule({
  entity: 'secret/gitlab',
  title: 'GitLab token in data',
  what: 'GitLab token',
  severity: 'high',
  policy: 'CWE-798',
});
