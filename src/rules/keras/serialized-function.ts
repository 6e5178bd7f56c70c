import { defineRule } from '../define-rule.js';
import type { KerasConfig } from '../../formats/keras/index.js';
import { configObjects, isKerasModule, layerName, stringAt } from './config-walk.js';

/**
 * Code inside a Keras config: Lambda layers (marshalled Python bytecode), Keras 3 `__lambda__`
 * objects, `TorchModuleWrapper` layers carrying a pickled torch module, and references to
 * functions outside Keras that deserialization imports and calls.
 */
export default defineRule<KerasConfig, 'lambda' | 'lambdaObject' | 'torchModule' | 'functionRef'>({
  id: 'keras/serialized-function',
  title: 'Keras config carries a serialized function',
  target: 'keras',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-502',
  verdict: 'malicious',
  messages: {
    lambda:
      'layer `{{layer}}` is a Lambda layer: loading it unmarshals and runs Python bytecode ({{container}})',
    lambdaObject: 'the config holds a serialized lambda (`__lambda__`) whose bytecode runs on load',
    torchModule:
      'layer `{{layer}}` is a TorchModuleWrapper whose `module` is a whole torch.nn.Module pickled by torch.save: Keras loads it with torch.load(weights_only=False), which runs any code the pickle names (CVE-2025-49655; unconditionally in Keras 3.11.0-3.11.2)',
    functionRef:
      'the config references the function `{{module}}.{{name}}`, which Keras imports and may call on load (CVE-2025-1550)',
  },
  check(ctx, config) {
    for (const { value: obj, path } of configObjects(config.root).objects) {
      const cls = stringAt(obj, 'class_name');
      const at = { span: { start: 0, end: 0 }, path };
      if (cls === 'Lambda') {
        ctx.report({
          messageId: 'lambda',
          data: { layer: layerName(obj), container: config.container },
          at,
        });
      } else if (cls === 'TorchModuleWrapper') {
        // Keras' own get_config writes the module as base64 of torch.save(module): a full
        // pickle, never weights-only. Any value in the field is handed to torch.load.
        const cfg = obj.config;
        if (typeof cfg === 'object' && cfg !== null && !Array.isArray(cfg) && 'module' in cfg) {
          ctx.report({ messageId: 'torchModule', data: { layer: layerName(obj) }, at });
        }
      } else if (cls === '__lambda__') {
        ctx.report({ messageId: 'lambdaObject', at });
      } else if (cls === 'function') {
        const module = stringAt(obj, 'module') ?? '';
        if (isKerasModule(module)) continue;
        const cfg = obj.config;
        const name = typeof cfg === 'string' ? cfg : (stringAt(obj, 'registered_name') ?? '?');
        ctx.report({ messageId: 'functionRef', data: { module, name }, at });
      }
    }
  },
});
