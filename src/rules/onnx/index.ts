import { defineMalformedRule } from '../malformed.js';
import customOpDomain from './custom-op-domain.js';
import externalDataMissing from './external-data-missing.js';
import externalDataTraversal from './external-data-traversal.js';

/** ONNX rules, sorted by id. */
export const onnxRules = [
  customOpDomain,
  externalDataMissing,
  externalDataTraversal,
  defineMalformedRule('onnx', 'onnx', 'ONNX model'),
] as const;
