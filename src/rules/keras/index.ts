import customObject from './custom-object.js';
import malformedInput from './malformed-input.js';
import serializedFunction from './serialized-function.js';

/** Keras rules, sorted by id. */
export const kerasRules = [customObject, malformedInput, serializedFunction] as const;
