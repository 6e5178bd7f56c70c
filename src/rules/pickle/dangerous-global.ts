import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { qualifiedName } from '../../formats/pickle/value.js';
import { defineRule } from '../define-rule.js';
import { matchGadget } from './policy/gadgets.js';
import { opcodeSpan } from './policy/judge.js';

/**
 * The first reference to each global that resolves to a known gadget (code execution, import/resolver, process, file,
 * network, nested deserialization, code objects, scanner tampering). The real unpickler imports
 * the module and fetches the object when it reads the opcode, before anything else can refuse it.
 */
export default defineRule<PickleScanInput, 'gadget'>({
  id: 'pickle/dangerous-global',
  title: 'Pickle references a known code-execution or side-effect gadget',
  target: 'pickle',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-502',
  verdict: 'malicious',
  messages: {
    gadget:
      '`{{name}}` ({{category}} gadget; sources: {{sources}}) is loaded by {{opcode}}; unpickling this runs attacker-chosen code.',
  },
  check(ctx, input) {
    // One finding per gadget name, at its first reference: a stream may repeat one thousands of
    // times.
    const seen = new Set<string>();
    for (const g of input.decoded.globals) {
      const gadget = matchGadget(g.module, g.name) ?? matchGadget(g.rawModule, g.rawName);
      if (gadget === undefined) continue;
      const name = qualifiedName(g);
      if (seen.has(name)) continue;
      seen.add(name);
      ctx.report({
        messageId: 'gadget',
        data: {
          name,
          category: gadget.category,
          sources: gadget.sources.join('; '),
          opcode: g.opcode,
        },
        severity: gadget.severity,
        at: { span: opcodeSpan(g.offset) },
      });
    }
  },
});
