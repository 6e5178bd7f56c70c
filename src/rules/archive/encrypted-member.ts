import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `encrypted` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'encrypted'>({
  id: 'archive/encrypted-member',
  title: 'Archive member is marked encrypted',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  verdict: 'suspicious',
  messages: {
    encrypted:
      '`{{member}}`: {{detail}}. An encrypted member cannot be read, so it cannot be proven safe; readers that ignore the flag read it as plain data (it was scanned as such).',
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'encrypted') continue;
      ctx.report({
        messageId: 'encrypted',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
