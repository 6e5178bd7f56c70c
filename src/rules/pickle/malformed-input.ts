import { defineMalformedRule } from '../malformed.js';

/** Reported by the engine when the pickle VM stops with a FormatError (verdict invalid). */
export default defineMalformedRule('pickle', 'pickle', 'pickle stream');
