import { defineMalformedRule } from '../malformed.js';

/** A .npy file whose header or size cannot be decoded within the limits. */
export default defineMalformedRule('numpy', 'npy', 'numpy array file');
