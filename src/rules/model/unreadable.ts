import { defineRule } from '../define-rule.js';

/** Reported by `scanFile` for a path that cannot be opened or read. */
export default defineRule<never, 'unreadable'>({
  id: 'model/unreadable',
  title: 'File cannot be read',
  target: 'archive',
  severity: 'low',
  confidence: 'high',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  verdict: 'invalid',
  messages: { unreadable: 'cannot read the file: {{reason}}' },
  check() {
    /* reported by the engine when opening the file fails */
  },
});
