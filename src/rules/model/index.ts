import internalError from './internal-error.js';
import malformedInput from './malformed-input.js';
import nestingTooDeep from './nesting-too-deep.js';
import unknownFormat from './unknown-format.js';
import unreadable from './unreadable.js';
import unscanned from './unscanned.js';

/** Engine-level model rules, sorted by id. */
export const modelRules = [
  internalError,
  malformedInput,
  nestingTooDeep,
  unknownFormat,
  unreadable,
  unscanned,
] as const;
