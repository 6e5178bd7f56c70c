import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `name-mismatch` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'mismatch'>({
  id: 'archive/name-mismatch',
  title: 'Local header and central directory name a member differently',
  target: 'archive',
  severity: 'high',
  confidence: 'high',
  policy: 'CWE-436',
  verdict: 'suspicious',
  messages: {
    mismatch:
      "`{{member}}`: {{detail}}. torch reads the central directory name; a scanner that reads local headers (or CPython's zipfile, which refuses the file) sees something else.",
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'name-mismatch') continue;
      ctx.report({
        messageId: 'mismatch',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
