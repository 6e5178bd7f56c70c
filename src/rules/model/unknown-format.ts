import { defineRule } from '../define-rule.js';

/** Reported by the engine for a file given by name whose content matches no known format. */
export default defineRule<never, 'unknown'>({
  id: 'model/unknown-format',
  title: 'Content is not a recognised model format',
  target: 'archive',
  severity: 'low',
  confidence: 'high',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  verdict: 'invalid',
  messages: {
    unknown:
      'content matches no known model format ({{hint}}); it cannot be proven safe, and torch.load would try it as a legacy pickle',
  },
  check() {
    /* reported by the engine's dispatcher */
  },
});
