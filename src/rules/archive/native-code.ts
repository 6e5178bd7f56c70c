import type { ArchiveModel } from '../../formats/zip/index.js';
import { defineRule } from '../define-rule.js';

/** Reports every `native-code` anomaly: a shared library or executable inside a model archive. */
export default defineRule<ArchiveModel, 'native'>({
  id: 'archive/native-code',
  title: 'Archive holds native code',
  target: 'archive',
  severity: 'high',
  confidence: 'high',
  policy: 'CWE-829',
  verdict: 'suspicious',
  messages: {
    native:
      '`{{member}}` is {{detail}}: a compiled-model loader (torch._inductor.aoti_load_package for a .pt2 package, custom-op libraries) loads and runs it, and no static scan can prove it safe.',
  },
  check(ctx, archive) {
    for (const a of archive.anomalies) {
      if (a.kind !== 'native-code') continue;
      ctx.report({
        messageId: 'native',
        data: { member: a.member, detail: a.detail },
        at: { span: { start: a.offset, end: a.offset + 4 }, path: [a.member] },
      });
    }
  },
});
