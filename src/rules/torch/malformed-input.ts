import { defineMalformedRule } from '../malformed.js';

/** A torch container whose structure cannot be decoded within the limits. */
export default defineMalformedRule('torch', 'torch', 'torch checkpoint');
