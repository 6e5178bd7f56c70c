import { defineRule } from '../define-rule.js';
import type { KerasConfig } from '../../formats/keras/index.js';
import { configObjects, isKerasModule, stringAt } from './config-walk.js';
import {
  FILE_OR_MODULE_FIELDS,
  KERAS_GADGET_FUNCTIONS,
  SAVED_MODEL_LAYERS,
  isAllowedActivation,
  isAllowedKerasClass,
  isAllowedKerasFunction,
  looksLikePath,
} from './policy/judge.js';

type Message = 'class' | 'function' | 'activation' | 'path' | 'incomplete';

/** Fields whose string value Keras resolves as an activation function by name. */
const ACTIVATION_FIELDS: ReadonlySet<string> = new Set(['activation', 'recurrent_activation']);

/** Objects other rules judge: Lambda bytecode, TF op calls, gadgets. */
const JUDGED_ELSEWHERE: ReadonlySet<string> = new Set(['Lambda', '__lambda__', 'TFOpLambda']);

/**
 * Default-deny for Keras configs: every object must be a built-in Keras layer, initializer,
 * regularizer, constraint, optimizer, schedule, loss or metric (or a structural object Keras'
 * serializer writes), every function reference a built-in activation, loss or metric, every
 * activation name a built-in one, and no field outside those that may name files or modules may
 * hold a path or URL. Objects from outside Keras are keras/custom-object; known gadgets are
 * keras/known-gadget.
 */
export default defineRule<KerasConfig, Message>({
  id: 'keras/unlisted-object',
  title: 'Keras config names something outside the built-in allowlist',
  target: 'keras',
  severity: 'high',
  confidence: 'medium',
  policy: 'torchward default-deny (CWE-502, CWE-829)',
  verdict: 'suspicious',
  messages: {
    class: '`{{cls}}` is not a built-in Keras class torchward knows to be inert',
    function:
      'the config names the function `{{module}}.{{name}}`, which is not a built-in activation, loss or metric',
    activation: '`{{field}}` names `{{name}}`, which is not a built-in Keras activation',
    path: 'field `{{field}}` holds the path or URL `{{value}}`; built-in Keras objects name no files there',
    incomplete: 'the config is too large to check completely',
  },
  check(ctx, config) {
    const { objects, complete } = configObjects(config.root);
    for (const { value: obj, path } of objects) {
      for (const [field, value] of Object.entries(obj)) {
        if (typeof value !== 'string') continue;
        const at = { span: { start: 0, end: 0 }, path: [...path, field] };
        if (ACTIVATION_FIELDS.has(field) && !isAllowedActivation(value)) {
          ctx.report({ messageId: 'activation', data: { field, name: value }, at });
        } else if (!FILE_OR_MODULE_FIELDS.has(field) && looksLikePath(value)) {
          ctx.report({ messageId: 'path', data: { field, value: value.slice(0, 200) }, at });
        }
      }
      const cls = stringAt(obj, 'class_name');
      if (cls === undefined || JUDGED_ELSEWHERE.has(cls) || SAVED_MODEL_LAYERS.has(cls)) continue;
      const module = stringAt(obj, 'module');
      // Objects from outside Keras and custom registered objects are keras/custom-object.
      if (module !== undefined && !isKerasModule(module)) continue;
      if (stringAt(obj, 'registered_name')?.includes('>') === true) continue;
      const at = { span: { start: 0, end: 0 }, path };
      if (cls === 'function') {
        const name = typeof obj.config === 'string' ? obj.config : '?';
        if (KERAS_GADGET_FUNCTIONS.has(name) || isAllowedKerasFunction(name)) continue;
        ctx.report({
          messageId: 'function',
          data: { module: module ?? '(no module)', name },
          at,
        });
      } else if (!KERAS_GADGET_FUNCTIONS.has(cls) && !isAllowedKerasClass(cls)) {
        ctx.report({ messageId: 'class', data: { cls }, at });
      }
    }
    if (!complete) ctx.report({ messageId: 'incomplete', at: { span: { start: 0, end: 0 } } });
  },
});
