import customOpDomain from './custom-op-domain.js';
import externalDataMissing from './external-data-missing.js';
import externalDataTraversal from './external-data-traversal.js';
import malformedInput from './malformed-input.js';

/** ONNX rules, sorted by id. */
export const onnxRules = [
  customOpDomain,
  externalDataMissing,
  externalDataTraversal,
  malformedInput,
] as const;
