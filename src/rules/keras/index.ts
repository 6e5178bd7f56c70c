import { defineMalformedRule } from '../malformed.js';
import customObject from './custom-object.js';
import serializedFunction from './serialized-function.js';

/** Keras rules, sorted by id. */
export const kerasRules = [
  customObject,
  defineMalformedRule('keras', 'keras', 'Keras model'),
  serializedFunction,
] as const;
