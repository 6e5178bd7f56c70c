import customObject from './custom-object.js';
import knownGadget from './known-gadget.js';
import malformedInput from './malformed-input.js';
import serializedFunction from './serialized-function.js';
import unlistedObject from './unlisted-object.js';

/** Keras rules, sorted by id. */
export const kerasRules = [
  customObject,
  knownGadget,
  malformedInput,
  serializedFunction,
  unlistedObject,
] as const;
