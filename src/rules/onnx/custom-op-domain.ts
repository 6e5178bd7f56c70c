import { defineRule } from '../define-rule.js';
import type { OnnxInput } from './input.js';

// Operator sets defined by the ONNX standard, plus onnxruntime's contrib ops (com.microsoft),
// which optimised exports use widely. Any other domain needs a custom operator library, i.e.
// native code loaded by the runtime (onnxruntime register_custom_ops_library).
const STANDARD_DOMAINS = new Set([
  '',
  'ai.onnx',
  'ai.onnx.ml',
  'ai.onnx.training',
  'ai.onnx.preview.training',
  'com.microsoft',
]);

/** Nodes in domains outside the standard operator sets. */
export default defineRule<OnnxInput, 'custom'>({
  id: 'onnx/custom-op-domain',
  title: 'Operator from a non-standard domain',
  target: 'onnx',
  severity: 'medium',
  confidence: 'medium',
  policy: 'CWE-829',
  verdict: 'suspicious',
  messages: {
    custom:
      'node `{{node}}` runs operator `{{op}}` from domain `{{domain}}`, which needs a custom operator library (native code) to load',
  },
  check(ctx, input) {
    // A call to a function defined in the model itself is expanded from its body (walked too).
    const local = new Set(input.model.functions.map((f) => `${f.domain}\0${f.name}`));
    const seen = new Set<string>();
    for (const n of input.model.nodes) {
      if (STANDARD_DOMAINS.has(n.domain) || local.has(`${n.domain}\0${n.opType}`)) continue;
      const key = `${n.domain}\0${n.opType}`;
      if (seen.has(key)) continue; // one report per operator, at its first use
      seen.add(key);
      ctx.report({
        messageId: 'custom',
        data: { node: n.name === '' ? n.opType : n.name, op: n.opType, domain: n.domain },
        at: { span: { start: 0, end: 0 }, path: n.path },
      });
    }
  },
});
