import { defineRule } from '../define-rule.js';
import type { KerasConfig } from '../../formats/keras/index.js';
import { configObjects, isKerasModule, layerName, stringAt } from './config-walk.js';

/** Objects whose class lives outside Keras: loading needs (and may import) third-party code. */
export default defineRule<KerasConfig, 'module' | 'registered' | 'tfOp' | 'incomplete'>({
  id: 'keras/custom-object',
  title: 'Keras config uses objects from outside Keras',
  target: 'keras',
  severity: 'medium',
  confidence: 'medium',
  policy: 'CWE-829',
  verdict: 'suspicious',
  messages: {
    module: '`{{cls}}` comes from module `{{module}}`, outside Keras: loading imports that module',
    registered:
      '`{{cls}}` is a custom registered object (`{{registered}}`) that needs its own code to load',
    tfOp: 'layer `{{layer}}` calls the TensorFlow function `{{fn}}` by name',
    incomplete: 'the config is too large to check completely',
  },
  check(ctx, config) {
    const { objects, complete } = configObjects(config.root);
    for (const { value: obj, path } of objects) {
      const cls = stringAt(obj, 'class_name');
      if (cls === undefined || cls === 'function' || cls === 'Lambda' || cls === '__lambda__')
        continue;
      const at = { span: { start: 0, end: 0 }, path };
      const module = stringAt(obj, 'module');
      const registered = stringAt(obj, 'registered_name');
      if (cls === 'TFOpLambda') {
        const cfg = obj.config;
        const fn =
          typeof cfg === 'object' && cfg !== null
            ? (cfg as Record<string, unknown>).function
            : undefined;
        ctx.report({
          messageId: 'tfOp',
          data: { layer: layerName(obj), fn: typeof fn === 'string' ? fn : '?' },
          at,
        });
      } else if (module !== undefined && !isKerasModule(module)) {
        ctx.report({ messageId: 'module', data: { cls, module }, at });
      } else if (registered?.includes('>') === true) {
        // register_keras_serializable names custom objects 'package>Name'.
        ctx.report({ messageId: 'registered', data: { cls, registered }, at });
      }
    }
    if (!complete) ctx.report({ messageId: 'incomplete', at: { span: { start: 0, end: 0 } } });
  },
});
