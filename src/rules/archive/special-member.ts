import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `special-member` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'special'>({
  id: 'archive/special-member',
  title: 'Archive holds a link or device member',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'CWE-59',
  verdict: 'suspicious',
  messages: {
    special:
      '`{{member}}`: {{detail}}; links and devices in a model archive can redirect extraction or reads to files outside it.',
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'special-member') continue;
      ctx.report({
        messageId: 'special',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
