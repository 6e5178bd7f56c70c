import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `duplicate-name` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'duplicate'>({
  id: 'archive/duplicate-name',
  title: 'Two archive members share one name',
  target: 'archive',
  severity: 'high',
  confidence: 'high',
  policy: 'CWE-694',
  verdict: 'invalid',
  messages: {
    duplicate:
      '`{{member}}`: {{detail}}. Readers pick different copies (the first, the last, or both), so no single reading of this archive can be proven to be the one that runs.',
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'duplicate-name') continue;
      ctx.report({
        messageId: 'duplicate',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
