import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { defineRule } from '../define-rule.js';
import { opcodeSpan } from './policy/judge.js';
import { OTHER_OPCODE_NAMES, TORCH_2_13_OPCODES } from './policy/torch-opcodes.js';

/**
 * A torch checkpoint's pickle that `torch.load(weights_only=True)` (torch 2.13) refuses for its
 * framing alone: an opcode its weights-only unpickler does not implement (protocol 4/5 writes
 * FRAME, MEMOIZE, SHORT_BINUNICODE …), or the legacy tar format, which torch ≥ 2.6 refuses under
 * weights_only. The content may still be proven safe, so the finding keeps the verdict `safe` and
 * tells the user torch's own loader will refuse the file.
 */
export default defineRule<PickleScanInput, 'opcode' | 'legacy-tar'>({
  id: 'pickle/torch-load-refusal',
  title: "torch's weights-only loader will refuse this checkpoint",
  target: 'pickle',
  severity: 'info',
  confidence: 'high',
  policy: 'torch 2.13 torch/_weights_only_unpickler.py and torch.serialization.load',
  verdict: 'safe',
  messages: {
    opcode:
      "torch.load(weights_only=True) (torch 2.13) will refuse this checkpoint: its weights-only unpickler does not implement {{opcode}} (0x{{byte}}), written by pickle protocol {{protocol}}; re-save it with torch.save's default protocol 2.",
    'legacy-tar':
      'torch.load(weights_only=True) (torch ≥ 2.6) refuses checkpoints in the legacy tar format; re-save it with torch.save.',
  },
  check(ctx, input) {
    if (input.flavour === 'torch-tar') {
      // A legacy tar is judged as two pickle inputs (the side pickles on the tar's own unit and
      // the `pickle` member): the note goes once, on the member holding the checkpoint's objects.
      if (ctx.uri.endsWith('!/pickle')) {
        ctx.report({ messageId: 'legacy-tar', at: { span: { start: 0, end: 0 } } });
      }
      return;
    }
    if (input.flavour !== 'torch-zip' && input.flavour !== 'torch-legacy') return;
    let first = -1;
    let firstOp = -1;
    const at = input.decoded.firstOpcodeAt;
    for (let op = 0; op < 256; op++) {
      const offset = at[op] ?? -1;
      if (offset < 0 || TORCH_2_13_OPCODES.has(op)) continue;
      if (first < 0 || offset < first) {
        first = offset;
        firstOp = op;
      }
    }
    if (first < 0) return;
    const protocol = Math.max(0, ...input.decoded.streams.map((s) => s.protocol));
    ctx.report({
      messageId: 'opcode',
      data: {
        opcode: OTHER_OPCODE_NAMES.get(firstOp) ?? 'an unknown opcode',
        byte: firstOp.toString(16).padStart(2, '0'),
        protocol,
      },
      at: { span: opcodeSpan(first) },
    });
  },
});
