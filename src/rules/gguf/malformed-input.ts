import { defineMalformedRule } from '../malformed.js';

/** A GGUF file whose header cannot be decoded within the limits. */
export default defineMalformedRule('gguf', 'gguf', 'GGUF file');
