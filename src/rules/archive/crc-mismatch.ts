import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `crc-mismatch` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'crc'>({
  id: 'archive/crc-mismatch',
  title: 'Archive member CRC does not match its content',
  target: 'archive',
  severity: 'medium',
  confidence: 'high',
  policy: 'CWE-354',
  verdict: 'suspicious',
  messages: {
    crc: "`{{member}}`: {{detail}}. torch ignores the CRC and loads the member anyway (CPython's zipfile refuses it): the two readers see the archive differently, so it was scanned as torch reads it.",
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'crc-mismatch') continue;
      ctx.report({
        messageId: 'crc',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
