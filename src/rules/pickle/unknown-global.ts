import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { qualifiedName } from '../../formats/pickle/value.js';
import { defineRule } from '../define-rule.js';
import { matchGadget } from './policy/gadgets.js';
import { isAllowedGlobal, opcodeSpan } from './policy/judge.js';

/**
 * A global outside the weights-only allowlist (and the user's additions) that is not a known
 * gadget either. Unknown is never safe: importing a module runs its code, and any class may carry
 * a `__setstate__` or `__reduce__` that reaches exec (reference §9.3, lifecycle hooks).
 * One finding per distinct name, at its first occurrence.
 */
export default defineRule<PickleScanInput, 'unknown'>({
  id: 'pickle/unknown-global',
  title: 'Pickle references a global outside the weights-only allowlist',
  target: 'pickle',
  severity: 'high',
  confidence: 'medium',
  policy: 'torchward default-deny: torch weights_only allowlist',
  verdict: 'suspicious',
  messages: {
    unknown:
      '`{{name}}` is not on the torch weights-only allowlist ({{count}} reference(s)); torch.load(weights_only=True) refuses it and a full unpickle imports and runs it.',
  },
  check(ctx, input) {
    const seen = new Map<string, { offset: number; count: number }>();
    for (const g of input.decoded.globals) {
      if (isAllowedGlobal(g, input)) continue;
      if (matchGadget(g.module, g.name) ?? matchGadget(g.rawModule, g.rawName)) continue;
      const name = qualifiedName(g);
      const entry = seen.get(name);
      if (entry === undefined) seen.set(name, { offset: g.offset, count: 1 });
      else entry.count++;
    }
    for (const [name, { offset, count }] of seen) {
      ctx.report({ messageId: 'unknown', data: { name, count }, at: { span: opcodeSpan(offset) } });
    }
  },
});
