import type { ExternalFileState, OnnxInput } from './input.js';
import { defineRule } from '../define-rule.js';
import { classifyLocation, locationOf } from './external-location.js';

/** External data paths that leave the model folder: arbitrary file read at load time. */
export default defineRule<OnnxInput, 'absolute' | 'traversal' | 'escapes' | 'empty'>({
  id: 'onnx/external-data-traversal',
  title: 'External data location escapes the model folder',
  target: 'onnx',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-22',
  verdict: 'malicious',
  messages: {
    absolute: 'tensor `{{tensor}}` loads external data from the absolute path `{{location}}`',
    traversal:
      'tensor `{{tensor}}` loads external data from `{{location}}`, which climbs out of the model folder with `..`',
    escapes:
      'tensor `{{tensor}}` loads external data from `{{location}}`, a link that resolves outside the model folder',
    empty: 'tensor `{{tensor}}` is marked external but has no location',
  },
  check(ctx, input) {
    for (const t of input.model.externalTensors) {
      const location = locationOf(t.entries) ?? '';
      const kind = classifyLocation(location);
      const state: ExternalFileState | undefined = input.files.get(location);
      const messageId =
        kind === 'relative' ? (state?.kind === 'escapes' ? 'escapes' : undefined) : kind;
      if (messageId === undefined) continue;
      ctx.report({
        messageId,
        data: { tensor: t.name, location },
        at: { span: { start: 0, end: 0 }, path: t.path },
      });
    }
  },
});
