// What a Keras config may name, by default-deny: the built-in classes and functions of
// policy/builtins.ts, the structural objects Keras' own serializer writes, and the fields that
// may carry a file path or module name. Known gadgets are named apart.
import { isKerasModule } from '../config-walk.js';
import { KERAS_CLASSES, KERAS_FUNCTIONS } from './builtins.js';

/**
 * Objects Keras' serializer writes around the built-ins (keras/src/saving/serialization_lib.py):
 * models, dtype policies, symbolic tensors and literal values. `__lambda__` (bytecode) and
 * `function` (checked by name) are not here.
 */
const STRUCTURAL = [
  'Functional',
  'Sequential',
  'Model',
  'DTypePolicy',
  'FloatDTypePolicy',
  'QuantizedDTypePolicy',
  'QuantizedFloat8DTypePolicy',
  'DTypePolicyMap',
  '__keras_tensor__',
  '__tensor__',
  '__numpy__',
  '__bytes__',
  '__ellipsis__',
  '__slice__',
];

const CLASSES: ReadonlySet<string> = new Set([
  ...STRUCTURAL,
  ...Object.values(KERAS_CLASSES).flat(),
]);
const FUNCTIONS: ReadonlySet<string> = new Set(Object.values(KERAS_FUNCTIONS).flat());
const ACTIVATIONS: ReadonlySet<string> = new Set(KERAS_FUNCTIONS.activations);

/** True when `name` is a built-in Keras class or structural object a config may name. */
export function isAllowedKerasClass(name: string): boolean {
  return CLASSES.has(name);
}

/** True when `name` is a built-in activation, loss or metric function. */
export function isAllowedKerasFunction(name: string): boolean {
  return FUNCTIONS.has(name);
}

/** True when `name` is a built-in activation (the string form of `activation` fields). */
export function isAllowedActivation(name: string): boolean {
  return ACTIVATIONS.has(name);
}

/**
 * Functions inside Keras that a config can reach through a `module` + name reference and that
 * do something other than compute: download (`get_file`), switch off safe mode
 * (`enable_unsafe_deserialization`), load or save further models, register custom objects.
 */
export const KERAS_GADGET_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['get_file', 'downloads a file from any URL to any path'],
  ['enable_unsafe_deserialization', 'switches off safe mode, so Lambda bytecode runs on load'],
  ['load_model', 'loads a further model (and its code)'],
  ['save_model', 'writes a model file'],
  ['load_weights', 'reads a further file'],
  ['deserialize_keras_object', 'deserializes a nested config outside the loader’s checks'],
  ['register_keras_serializable', 'registers custom code'],
  ['set_random_seed', 'changes global state'],
]);

/** Layers that load a TensorFlow SavedModel from a path (its graph may read and write files). */
export const SAVED_MODEL_LAYERS: ReadonlySet<string> = new Set(['TFSMLayer']);

/** Preprocessing layers whose `vocabulary` (or `idf_weights`) may name a file to read. */
export const VOCABULARY_LAYERS: ReadonlySet<string> = new Set([
  'StringLookup',
  'IntegerLookup',
  'TextVectorization',
]);

/**
 * Fields that may name a file or a module: `module` (a Keras module), `registered_name` and
 * `class_name` (checked above), `vocabulary` / `idf_weights` (inline lists only; a string is a
 * file), `filepath` (TFSMLayer). Any other field whose string value looks like a path or URL is
 * outside what built-in Keras objects write.
 */
export const FILE_OR_MODULE_FIELDS: ReadonlySet<string> = new Set([
  'module',
  'registered_name',
  'class_name',
  'vocabulary',
  'idf_weights',
  'filepath',
]);

/** True for a string that names a file, directory or URL rather than a value. */
export function looksLikePath(s: string): boolean {
  return /^(?:\/|~|\.{1,2}[/\\]|[A-Za-z]:[/\\]|\\\\|file:|[a-z][a-z0-9+.-]*:\/\/)/i.test(s);
}

/** True when `module` is absent or belongs to Keras. */
export function isKerasOrNoModule(module: string | undefined): boolean {
  return module === undefined || isKerasModule(module);
}
