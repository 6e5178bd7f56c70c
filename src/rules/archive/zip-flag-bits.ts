import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `flag-bits` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'flags'>({
  id: 'archive/zip-flag-bits',
  title: 'Unusual zip flag bits on a member',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'CWE-436',
  verdict: 'suspicious',
  messages: {
    flags:
      '`{{member}}`: {{detail}}. Readers disagree on such members (CPython refuses them, others ignore the bit), a known scanner-evasion trick.',
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'flag-bits') continue;
      ctx.report({
        messageId: 'flags',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
