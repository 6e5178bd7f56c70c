import { defineRule } from '../define-rule.js';

/** Reported by the 7z handler: encrypted content cannot be inspected, so it is never `safe`. */
export default defineRule<never, 'headers' | 'entry'>({
  id: 'sevenzip/encrypted',
  title: '7z archive content is encrypted',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  verdict: 'suspicious',
  messages: {
    headers:
      'the 7z archive encrypts its headers: its members cannot be listed or scanned, so it cannot be proven safe',
    entry:
      'member `{{member}}` is encrypted: it cannot be scanned, so the archive cannot be proven safe',
  },
  check() {
    /* reported by the 7z handler */
  },
});
