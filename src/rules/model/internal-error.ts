import { defineRule } from '../define-rule.js';

/** A bug in torchward while scanning: the file is not proven safe, and the CLI exits 4. */
export default defineRule<never, 'internal'>({
  id: 'model/internal-error',
  title: 'Internal error while scanning',
  target: 'archive',
  severity: 'high',
  confidence: 'low',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  verdict: 'invalid',
  messages: { internal: 'internal error in {{where}}: {{detail}} (please report this file)' },
  check() {
    /* reported by the engine */
  },
});
