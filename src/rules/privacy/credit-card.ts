import { defineEntityRule } from './entity-rule.js';

/** Payment card number in data: see docs/rules/privacy/credit-card.md. */
export default defineEntityRule({
  entity: 'credit-card',
  title: 'Payment card number in data',
  what: 'payment card number',
  severity: 'high',
  policy: 'PCI DSS 3.4; CWE-359',
});
