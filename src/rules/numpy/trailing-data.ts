import type { NpyModel } from '../../formats/npy/index.js';
import { defineRule } from '../define-rule.js';

/** Bytes after the array data: np.load never reads them, another reader might (a polyglot). */
export default defineRule<NpyModel, 'trailing'>({
  id: 'numpy/trailing-data',
  title: 'Bytes after the end of the array data',
  target: 'npy',
  severity: 'low',
  confidence: 'high',
  policy: 'CWE-436',
  verdict: 'suspicious',
  messages: {
    trailing:
      '{{count}} bytes follow the array data; numpy never writes or reads them, so they can only be meant for another reader',
  },
  check(ctx, model) {
    const { trailingBytes, dataOffset, dataBytes } = model.header;
    if (trailingBytes === 0 || dataBytes === undefined) return;
    const start = dataOffset + dataBytes;
    ctx.report({
      messageId: 'trailing',
      data: { count: trailingBytes },
      at: { span: { start, end: start + trailingBytes } },
    });
  },
});
