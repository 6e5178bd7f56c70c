import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import type { PickleAnomalyKind } from '../../formats/pickle/records.js';
import { defineRule } from '../define-rule.js';
import { opcodeSpan } from './policy/judge.js';

type Message = Exclude<PickleAnomalyKind, 'unregistered-ext'>;

/**
 * Stream irregularities that the C unpickler tolerates but other readers do not, the classic
 * setup for a scanner bypass: opcodes crossing a declared FRAME end (O8), nested frames,
 * duplicate or misplaced PROTO (O11), out-of-band buffers, joblib padding that is not 0xff, and
 * bytes after a decoding error that were searched for more pickles (C14). EXT codes are
 * reported by pickle/extension-code.
 */
export default defineRule<PickleScanInput, Message>({
  id: 'pickle/stream-anomaly',
  title: 'Pickle stream has structural anomalies that make decoders disagree',
  target: 'pickle',
  severity: 'medium',
  confidence: 'high',
  policy: 'torchward: parse as the consumer parses (reference §2.3)',
  verdict: 'suspicious',
  messages: {
    'frame-crossing':
      'FRAME boundary crossed: {{detail}}; pickle.py refuses this stream, the C unpickler runs it.',
    'nested-frame': '{{detail}}; pickle.py refuses this stream, the C unpickler reads on.',
    'duplicate-proto': '{{detail}}.',
    'misplaced-proto': '{{detail}}.',
    'out-of-band-buffer':
      '{{detail}}: out-of-band buffers are never part of a weights-only checkpoint.',
    resync: 'after a decoding error, {{detail}}.',
    'joblib-padding': '{{detail}}.',
  },
  check(ctx, input) {
    const seen = new Set<string>();
    for (const a of input.decoded.anomalies) {
      if (a.kind === 'unregistered-ext') continue;
      const key = `${a.kind}\n${a.detail}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.report({
        messageId: a.kind,
        data: { detail: a.detail },
        at: { span: opcodeSpan(a.offset) },
      });
    }
  },
});
