import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { isKind } from '../../formats/pickle/value.js';
import { defineRule } from '../define-rule.js';
import { describe, isAllowedGlobal, opcodeSpan } from './policy/judge.js';

/**
 * Calls the weights-only unpickler would refuse although no unknown global is involved: a callee
 * that is not an allowlisted global itself (a call result, a persistent object, a memo entry of
 * another type: the REDUCE target must be the allowlisted global's value), and calls made
 * through INST, OBJ or NEWOBJ_EX, which torch's unpickler does not implement.
 * Calls on non-allowlisted globals are reported by pickle/unknown-global and
 * pickle/dangerous-global. One finding per distinct message.
 */
export default defineRule<PickleScanInput, 'callee' | 'opcode'>({
  id: 'pickle/disallowed-call',
  title: 'Pickle calls something the weights-only policy does not allow',
  target: 'pickle',
  severity: 'high',
  confidence: 'medium',
  policy: 'torchward default-deny: torch weights_only REDUCE/NEWOBJ rules',
  verdict: 'suspicious',
  messages: {
    callee:
      '{{opcode}} calls {{what}}, not an allowlisted global; only allowlisted callables may be called.',
    opcode:
      '{{opcode}} calls `{{what}}`; torch.load(weights_only=True) has no {{opcode}} and refuses the file.',
  },
  check(ctx, input) {
    const seen = new Set<string>();
    for (const call of input.decoded.calls) {
      const callee = call.callee;
      let messageId: 'callee' | 'opcode';
      if (!isKind(callee, 'global')) messageId = 'callee';
      else if (!isAllowedGlobal(callee, input)) continue;
      else if (call.opcode === 'INST' || call.opcode === 'OBJ' || call.opcode === 'NEWOBJ_EX') {
        messageId = 'opcode';
      } else continue;
      const what = describe(callee);
      const key = `${messageId}\n${call.opcode}\n${what}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.report({
        messageId,
        data: { opcode: call.opcode, what },
        at: { span: opcodeSpan(call.offset) },
      });
    }
  },
});
