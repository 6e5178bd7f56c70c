import { defineMalformedRule } from '../malformed.js';

/** A zip, tar or compressed stream that cannot be decoded within the limits. */
export default defineMalformedRule('archive', 'archive', 'archive or compressed stream');
