import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `size-mismatch` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'size'>({
  id: 'archive/size-mismatch',
  title: 'Archive member sizes disagree',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'CWE-436',
  verdict: 'suspicious',
  messages: {
    size: '`{{member}}`: {{detail}}. Readers that trust different size fields read different bytes.',
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'size-mismatch') continue;
      ctx.report({
        messageId: 'size',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
