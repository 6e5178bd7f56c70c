import { defineEntityRule } from '../entity-rule.js';

/** Stripe key (gitleaks: stripe-access-token): see docs/rules/privacy/secret/stripe.md. */
export default defineEntityRule({
  entity: 'secret/stripe',
  title: 'Stripe key in data',
  what: 'Stripe key',
  severity: 'high',
  policy: 'CWE-798',
});
