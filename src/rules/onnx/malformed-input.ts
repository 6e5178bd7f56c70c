import { defineMalformedRule } from '../malformed.js';

/** An ONNX model that cannot be decoded within the limits. */
export default defineMalformedRule('onnx', 'onnx', 'ONNX model');
