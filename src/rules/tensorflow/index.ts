import dangerousOp from './dangerous-op.js';
import malformedInput from './malformed-input.js';

/** TensorFlow rules, sorted by id. */
export const tensorflowRules = [dangerousOp, malformedInput] as const;
