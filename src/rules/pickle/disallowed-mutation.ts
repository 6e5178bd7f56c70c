import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { isKind } from '../../formats/pickle/value.js';
import { defineRule } from '../define-rule.js';
import { describe, opcodeSpan, producedBy, unwrapBuild } from './policy/judge.js';

// SETITEM(S) may only target these (CVE-2026-24747: the newest torch limits SETITEM to them).
const DICT_TYPES: ReadonlySet<string> = new Set(['collections.OrderedDict', 'collections.Counter']);
const SET_TYPES: ReadonlySet<string> = new Set(['builtins.set']);

/**
 * APPEND(S), SETITEM(S) and ADDITEMS call `append`/`extend`/`__setitem__`/`add` on whatever
 * object lies below them: a method-call channel. Allowed targets: a list for APPEND(S); a dict,
 * OrderedDict or Counter for SETITEM(S) (CVE-2026-24747); a set for ADDITEMS.
 */
export default defineRule<PickleScanInput, 'target'>({
  id: 'pickle/disallowed-mutation',
  title: 'Pickle appends to or sets items on an object that is not a plain container',
  target: 'pickle',
  severity: 'high',
  confidence: 'medium',
  policy: 'torchward default-deny: torch weights_only APPEND/SETITEM rules (CVE-2026-24747)',
  verdict: 'suspicious',
  messages: {
    target: '{{opcode}} calls a method of {{what}}; only {{allowed}} may be the target.',
  },
  check(ctx, input) {
    const seen = new Set<string>();
    for (const m of input.decoded.mutations) {
      const target = unwrapBuild(m.target);
      const maker = producedBy(m.target, input);
      let allowed: string;
      let ok: boolean;
      switch (m.opcode) {
        case 'APPEND':
        case 'APPENDS':
          allowed = 'a list';
          ok = isKind(target, 'list');
          break;
        case 'SETITEM':
        case 'SETITEMS':
          allowed = 'a dict, OrderedDict or Counter';
          ok = isKind(target, 'dict') || (maker !== undefined && DICT_TYPES.has(maker));
          break;
        case 'ADDITEMS':
          allowed = 'a set';
          ok = isKind(target, 'set') || (maker !== undefined && SET_TYPES.has(maker));
          break;
      }
      if (ok) continue;
      const what = describe(m.target);
      const key = `${m.opcode}\n${what}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.report({
        messageId: 'target',
        data: { opcode: m.opcode, what, allowed },
        at: { span: opcodeSpan(m.offset) },
      });
    }
  },
});
