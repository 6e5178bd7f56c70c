import { defineRule } from '../define-rule.js';
import type { KerasConfig } from '../../formats/keras/index.js';
import { configObjects, layerName, stringAt } from './config-walk.js';
import {
  KERAS_GADGET_FUNCTIONS,
  SAVED_MODEL_LAYERS,
  VOCABULARY_LAYERS,
  isKerasOrNoModule,
} from './policy/judge.js';

type Message = 'function' | 'savedModel' | 'vocabularyFile';

/** The `config` object of a Keras object, or undefined. */
function configOf(obj: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const c = obj.config;
  return typeof c === 'object' && c !== null && !Array.isArray(c)
    ? (c as Readonly<Record<string, unknown>>)
    : {};
}

/**
 * Known Keras gadgets that pass safe mode: a reference to a Keras function that downloads files
 * or switches safe mode off (`keras.utils.get_file`, `keras.config.enable_unsafe_deserialization`
 * as an activation …), a `TFSMLayer` that loads a SavedModel from a path, and a lookup layer whose
 * vocabulary is read from a file (`/etc/passwd`). Lambda layers are keras/serialized-function.
 */
export default defineRule<KerasConfig, Message>({
  id: 'keras/known-gadget',
  title: 'Keras config uses a known gadget',
  target: 'keras',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-502; CVE-2025-1550, CVE-2025-8747, CVE-2025-9905 class (Keras safe-mode bypasses)',
  verdict: 'malicious',
  messages: {
    function:
      'the config names the Keras function `{{module}}.{{name}}`, which {{why}}; Keras resolves it on load although safe mode is on',
    savedModel:
      'layer `{{layer}}` is a TFSMLayer that loads the SavedModel at `{{path}}` on load: its graph may read and write files',
    vocabularyFile:
      'layer `{{layer}}` ({{cls}}) reads its {{field}} from the file `{{path}}` on load',
  },
  check(ctx, config) {
    for (const { value: obj, path } of configObjects(config.root).objects) {
      const cls = stringAt(obj, 'class_name');
      if (cls === undefined) continue;
      const at = { span: { start: 0, end: 0 }, path };
      const module = stringAt(obj, 'module');
      const inner = obj.config;
      // A function reference names its function in `config`; a class reference in class_name.
      const name = cls === 'function' && typeof inner === 'string' ? inner : cls;
      const why = KERAS_GADGET_FUNCTIONS.get(name);
      if (why !== undefined && isKerasOrNoModule(module)) {
        ctx.report({
          messageId: 'function',
          data: { module: module ?? '(no module)', name, why },
          at,
        });
      } else if (SAVED_MODEL_LAYERS.has(cls)) {
        const file = stringAt(configOf(obj), 'filepath') ?? '?';
        ctx.report({ messageId: 'savedModel', data: { layer: layerName(obj), path: file }, at });
      } else if (VOCABULARY_LAYERS.has(cls)) {
        for (const field of ['vocabulary', 'idf_weights']) {
          const file = stringAt(configOf(obj), field);
          if (file === undefined) continue;
          ctx.report({
            messageId: 'vocabularyFile',
            data: { layer: layerName(obj), cls, field, path: file },
            at: { ...at, path: [...path, 'config', field] },
          });
        }
      }
    }
  },
});
