import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `unsupported-method` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'method'>({
  id: 'archive/unsupported-method',
  title: 'Archive member uses a compression method torch cannot read',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  verdict: 'suspicious',
  messages: {
    method: '`{{member}}`: {{detail}}; it cannot be decoded here, so it cannot be proven safe.',
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'unsupported-method') continue;
      ctx.report({
        messageId: 'method',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
