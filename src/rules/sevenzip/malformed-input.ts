import { defineMalformedRule } from '../malformed.js';

/** A 7z archive that cannot be listed or extracted within the limits. */
export default defineMalformedRule('sevenzip', 'archive', '7z archive');
