import { defineRule } from '../define-rule.js';

/** Reported by the engine when containers nest deeper than limits.maxDepth. */
export default defineRule<never, 'deep'>({
  id: 'model/nesting-too-deep',
  title: 'Containers nested deeper than the limit',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'CWE-409',
  verdict: 'suspicious',
  messages: {
    deep: 'member is nested {{depth}} containers deep (limit {{limit}}); below the limit only compression layers and pickles are read (archives stay unopened), so it cannot be proven safe',
  },
  check() {
    /* reported by the engine's dispatcher */
  },
});
