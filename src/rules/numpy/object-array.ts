import type { NpyModel } from '../../formats/npy/index.js';
import { defineRule } from '../define-rule.js';

/**
 * An object dtype (`|O`, or a structured dtype with an `O` field): the data is a pickle that only
 * np.load(allow_pickle=True) reads (CVE-2019-6446). The pickle itself is scanned as a member.
 */
export default defineRule<NpyModel, 'object'>({
  id: 'numpy/object-array',
  title: 'numpy array of Python objects (a pickle)',
  target: 'npy',
  severity: 'high',
  confidence: 'high',
  policy: 'CWE-502',
  verdict: 'suspicious',
  messages: {
    object:
      'dtype holds Python objects: the array data is a pickle, loadable only with np.load(allow_pickle=True), which runs whatever it contains (CVE-2019-6446)',
  },
  check(ctx, model) {
    if (!model.header.hasObject) return;
    ctx.report({
      messageId: 'object',
      at: { span: { start: 10, end: model.header.dataOffset }, path: ['descr'] },
    });
  },
});
