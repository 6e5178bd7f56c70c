import malformedInput from './malformed-input.js';
import objectArray from './object-array.js';
import trailingData from './trailing-data.js';

/** numpy rules, sorted by id. */
export const numpyRules = [malformedInput, objectArray, trailingData] as const;
