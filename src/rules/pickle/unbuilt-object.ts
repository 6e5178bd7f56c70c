import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { isKind } from '../../formats/pickle/value.js';
import { defineRule } from '../define-rule.js';
import { describe, isAllowedGlobal, opcodeSpan } from './policy/judge.js';

/**
 * An object made by NEWOBJ (`cls.__new__(cls)`) of an allowlisted class that no BUILD ever
 * initialised. The newest torch refuses such a stream: an uninitialised tensor or storage object
 * is memory-unsafe to use. (NEWOBJ of a non-allowlisted class is reported elsewhere.)
 */
export default defineRule<PickleScanInput, 'unbuilt'>({
  id: 'pickle/unbuilt-object',
  title: 'Object created with NEWOBJ is never initialised',
  target: 'pickle',
  severity: 'medium',
  confidence: 'high',
  policy: 'torchward default-deny: torch weights_only NEWOBJ rules',
  verdict: 'suspicious',
  messages: {
    unbuilt:
      'NEWOBJ creates {{what}} that no BUILD initialises; torch.load(weights_only=True) refuses it.',
  },
  check(ctx, input) {
    const seen = new Set<string>();
    for (const c of input.decoded.calls) {
      if (c.opcode !== 'NEWOBJ' || c.built === true) continue;
      if (!isKind(c.callee, 'global') || !isAllowedGlobal(c.callee, input)) continue;
      // torch.nn.Parameter is the one class 1.13 already allowed without BUILD.
      const what = describe(c);
      if (seen.has(what)) continue;
      seen.add(what);
      ctx.report({ messageId: 'unbuilt', data: { what }, at: { span: opcodeSpan(c.offset) } });
    }
  },
});
