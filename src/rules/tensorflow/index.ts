import { defineMalformedRule } from '../malformed.js';
import dangerousOp from './dangerous-op.js';

/** TensorFlow rules, sorted by id. */
export const tensorflowRules = [
  dangerousOp,
  defineMalformedRule('tensorflow', 'tensorflow', 'TensorFlow graph'),
] as const;
