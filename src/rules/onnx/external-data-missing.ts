import { defineRule } from '../define-rule.js';
import { classifyLocation, locationOf } from './external-location.js';
import type { OnnxInput } from './input.js';

/** External data that is not there, or shorter than the range a tensor claims. */
export default defineRule<OnnxInput, 'missing' | 'outOfRange'>({
  id: 'onnx/external-data-missing',
  title: 'External data file is missing or too short',
  target: 'onnx',
  severity: 'low',
  confidence: 'high',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  verdict: 'invalid',
  messages: {
    missing:
      'tensor `{{tensor}}` needs the external file `{{location}}`, which is not beside the model',
    outOfRange:
      'tensor `{{tensor}}` reads bytes {{offset}}+{{length}} of `{{location}}`, which has only {{size}} bytes',
  },
  check(ctx, input) {
    for (const t of input.model.externalTensors) {
      const location = locationOf(t.entries) ?? '';
      if (classifyLocation(location) !== 'relative') continue;
      const state = input.files.get(location);
      const at = { span: { start: 0, end: 0 }, path: t.path };
      if (state?.kind === 'missing') {
        ctx.report({ messageId: 'missing', data: { tensor: t.name, location }, at });
      } else if (state?.kind === 'present') {
        const offset = Number(t.entries.find(([k]) => k === 'offset')?.[1] ?? '0');
        const lengthText = t.entries.find(([k]) => k === 'length')?.[1];
        const length = lengthText === undefined ? 0 : Number(lengthText);
        // onnx reads `length` bytes from `offset` (or to the end when length is absent).
        if (
          !Number.isSafeInteger(offset) ||
          !Number.isSafeInteger(length) ||
          offset < 0 ||
          length < 0 ||
          offset + length > state.size
        ) {
          ctx.report({
            messageId: 'outOfRange',
            data: {
              tensor: t.name,
              location,
              offset: String(offset),
              length: String(length),
              size: state.size,
            },
            at,
          });
        }
      }
    }
  },
});
