import { defineRule } from '../define-rule.js';

/** Reported by the engine when containers nest deeper than limits.maxDepth. */
export default defineRule<never, 'deep'>({
  id: 'model/nesting-too-deep',
  title: 'Containers nested deeper than the limit',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'CWE-409',
  verdict: 'invalid',
  messages: {
    deep: 'member is nested {{depth}} containers deep (limit {{limit}}); it was not opened, so it cannot be proven safe',
  },
  check() {
    /* reported by the engine's dispatcher */
  },
});
