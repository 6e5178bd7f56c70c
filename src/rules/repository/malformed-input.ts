import { defineMalformedRule } from '../malformed.js';

/** A model repository config that cannot be read or parsed within the limits. */
export default defineMalformedRule('repository', 'repository', 'Model repository config');
