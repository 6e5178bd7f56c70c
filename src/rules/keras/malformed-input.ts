import { defineMalformedRule } from '../malformed.js';

/** A Keras model whose configuration cannot be read within the limits. */
export default defineMalformedRule('keras', 'keras', 'Keras model');
