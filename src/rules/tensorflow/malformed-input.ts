import { defineMalformedRule } from '../malformed.js';

/** A TensorFlow SavedModel or GraphDef that cannot be decoded within the limits. */
export default defineMalformedRule('tensorflow', 'tensorflow', 'TensorFlow graph');
