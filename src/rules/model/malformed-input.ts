import { defineMalformedRule } from '../malformed.js';

/** Engine-level fallback for decoders without a family rule, and for time budget overruns. */
export default defineMalformedRule('model', 'archive', 'input');
