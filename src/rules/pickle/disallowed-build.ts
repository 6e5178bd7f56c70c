import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { defineRule } from '../define-rule.js';
import { describe, opcodeSpan, producedBy } from './policy/judge.js';

/**
 * BUILD (`__setstate__`, or `__dict__` update and setattr of slot state) on anything but an
 * object made by an allowlisted class or rebuild function. BUILD on a function or module plants
 * attributes (bypass O5: `numpy.prod` + slot state, then `GLOBAL numpy prod.a`), and BUILD on an
 * unknown class runs its `__setstate__`.
 */
export default defineRule<PickleScanInput, 'build'>({
  id: 'pickle/disallowed-build',
  title: 'Pickle applies BUILD to an object the weights-only policy does not allow',
  target: 'pickle',
  severity: 'high',
  confidence: 'medium',
  policy: 'torchward default-deny: torch weights_only BUILD rules',
  verdict: 'suspicious',
  messages: {
    build:
      'BUILD sets state on {{what}}; only objects made by allowlisted classes or rebuild functions may receive state.',
  },
  check(ctx, input) {
    const seen = new Set<string>();
    for (const build of input.decoded.builds) {
      if (producedBy(build.target, input) !== undefined) continue;
      const what = describe(build.target);
      if (seen.has(what)) continue;
      seen.add(what);
      ctx.report({ messageId: 'build', data: { what }, at: { span: opcodeSpan(build.offset) } });
    }
  },
});
