import { defineRule } from '../define-rule.js';

/**
 * Reported by the engine for a path named or found that was not scanned: a missing path, an
 * unreadable file or folder, a symbolic link that leads nowhere or out of the scanned folder, a
 * special file, or a file over the file-count limit. It carries no verdict (nothing was read);
 * its severity (default high, `--unscanned-severity`) decides whether it fails the run.
 */
export default defineRule<never, 'unscanned'>({
  id: 'model/unscanned',
  title: 'Path was not scanned',
  target: 'archive',
  severity: 'high',
  confidence: 'high',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  messages: { unscanned: '{{what}} was not scanned: {{reason}}' },
  check() {
    /* reported by the engine for what the walk could not open or follow */
  },
});
