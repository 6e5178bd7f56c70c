import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `path-traversal` anomaly the container reader recorded. */
export default defineRule<ArchiveModel, 'traversal'>({
  id: 'archive/path-traversal',
  title: 'Archive member name escapes the extraction directory',
  target: 'archive',
  severity: 'high',
  confidence: 'high',
  policy: 'CWE-22',
  verdict: 'suspicious',
  messages: {
    traversal:
      '`{{member}}`: {{detail}}; extracting this archive writes outside the target directory.',
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'path-traversal') continue;
      ctx.report({
        messageId: 'traversal',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
