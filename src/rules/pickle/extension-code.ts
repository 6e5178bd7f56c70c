import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { defineRule } from '../define-rule.js';
import { opcodeSpan } from './policy/judge.js';

/**
 * EXT1/EXT2/EXT4 name a global by an integer code from copyreg's extension registry (bypass
 * O7). CPython's default registry is empty, so the callable depends on what the loading process
 * registered: it cannot be proven safe, and torch's weights-only unpickler refuses EXT.
 */
export default defineRule<PickleScanInput, 'ext'>({
  id: 'pickle/extension-code',
  title: 'Pickle names a global by extension code',
  target: 'pickle',
  severity: 'high',
  confidence: 'high',
  policy: 'torchward default-deny: torch weights_only opcode set',
  verdict: 'suspicious',
  messages: {
    ext: "EXT code {{code}} names a global through copyreg's extension registry (empty by default); what it resolves to depends on the loading process.",
  },
  check(ctx, input) {
    for (const e of input.decoded.exts) {
      ctx.report({ messageId: 'ext', data: { code: e.code }, at: { span: opcodeSpan(e.offset) } });
    }
  },
});
