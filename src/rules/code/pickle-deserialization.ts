import { defineRule } from '../define-rule.js';
import type { PythonNeeds } from './needs.js';
import { argument, callPath, lastPart, type CodeAuditInput } from './input.js';

// Calls that unpickle (or otherwise build arbitrary objects from) their input, always.
const ALWAYS = new Set([
  'pickle.load',
  'pickle.loads',
  'pickle.Unpickler',
  'cPickle.load',
  'cPickle.loads',
  'cPickle.Unpickler',
  '_pickle.load',
  '_pickle.loads',
  '_pickle.Unpickler',
  'dill.load',
  'dill.loads',
  'dill.Unpickler',
  'cloudpickle.load',
  'cloudpickle.loads',
  'joblib.load',
  'sklearn.externals.joblib.load',
  'pandas.read_pickle',
  'shelve.open',
  'jsonpickle.decode',
  'jsonpickle.loads',
  'yaml.unsafe_load',
  'yaml.unsafe_load_all',
  'torch.jit.load',
  'torch.package.PackageImporter',
  'torch.package.package_importer.PackageImporter',
]);
const YAML_LOADS = new Set(['yaml.load', 'yaml.load_all']);
const SAFE_YAML_LOADERS = new Set([
  'yaml.SafeLoader',
  'yaml.CSafeLoader',
  'yaml.BaseLoader',
  'yaml.CBaseLoader',
  'yaml.loader.SafeLoader',
  'yaml.cyaml.CSafeLoader',
]);
const NUMPY_LOADS = new Set(['numpy.load']);
const KERAS_LOADS = new Set([
  'keras.models.load_model',
  'keras.saving.load_model',
  'tensorflow.keras.models.load_model',
  'tf.keras.models.load_model',
]);

/** The calls this rule reports on (the audit skips parsing files that cannot contain one). */
export const pythonNeeds: PythonNeeds = {
  calls: [...ALWAYS, ...YAML_LOADS, ...NUMPY_LOADS, ...KERAS_LOADS],
};

/**
 * Deserializers that can run code from their input: pickle and its wrappers, joblib, pandas,
 * shelve, jsonpickle, `yaml.load` without a safe loader, `numpy.load(allow_pickle=True)`,
 * `torch.jit.load`, `torch.package`, Keras `load_model(safe_mode=False)`. High when the data
 * comes from a download, request or socket in the same function.
 */
export default defineRule<CodeAuditInput, 'deserialize' | 'deserializeUntrusted'>({
  id: 'code/pickle-deserialization',
  title: 'Deserializer that can run code from its input',
  target: 'code',
  severity: 'medium',
  confidence: 'high',
  policy: 'CWE-502',
  messages: {
    deserialize:
      '`{{call}}` {{what}}: only use it on data you produced yourself; prefer safetensors, JSON or weights_only loading',
    deserializeUntrusted:
      '`{{call}}` {{what}}, on data received from {{source}}: whoever controls it runs code here',
  },
  check(ctx, input) {
    const model = input.python;
    if (model === undefined) return;
    for (const call of model.calls) {
      const name = call.name;
      if (name === undefined) continue;
      let what: string | undefined;
      if (ALWAYS.has(name)) {
        what = name.startsWith('yaml.')
          ? 'builds arbitrary Python objects'
          : name === 'torch.jit.load'
            ? 'runs the TorchScript code inside the archive'
            : name.includes('package')
              ? 'imports and runs the code packaged in the archive'
              : 'unpickles its input, which can run any code';
      } else if (YAML_LOADS.has(name)) {
        const loader = argument(call, 'Loader', 1);
        if (loader !== undefined && SAFE_YAML_LOADERS.has(loader.name ?? '')) continue;
        // A loader named like a safe one but not resolved through the yaml import still counts.
        if (loader !== undefined && /^C?(?:Safe|Base)Loader$/.test(lastPart(loader.name))) continue;
        what =
          loader === undefined
            ? 'without a Loader uses an unsafe one on old PyYAML'
            : `with ${loader.text} builds arbitrary Python objects`;
        if (loader === undefined)
          what = 'without Loader=SafeLoader can build arbitrary Python objects';
      } else if (NUMPY_LOADS.has(name)) {
        const allow = argument(call, 'allow_pickle', 2);
        if (allow?.value !== true) continue;
        what = 'with allow_pickle=True unpickles object arrays';
      } else if (KERAS_LOADS.has(name)) {
        const safe = call.keywords.get('safe_mode');
        if (safe?.value !== false) continue;
        what = 'with safe_mode=False deserializes Lambda layers (arbitrary code)';
      } else continue;
      const source = [...call.positional, ...call.keywords.values()].find(
        (a) => a.taint !== undefined,
      );
      const at = { span: call.calleeSpan, path: callPath(call) };
      if (source?.taint !== undefined) {
        ctx.report({
          messageId: 'deserializeUntrusted',
          data: { call: name, what, source: source.taint },
          at,
          related: [{ span: source.span, label: 'untrusted data' }],
          severity: 'high',
        });
      } else {
        ctx.report({ messageId: 'deserialize', data: { call: name, what }, at });
      }
    }
  },
});
