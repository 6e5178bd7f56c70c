export {
  containsObject,
  NPY_MAX_HEADER,
  parseNpyHeader,
  readNpyHeader,
  type NpyDtype,
  type NpyField,
  type NpyHeader,
  type NpyModel,
} from './header.js';
export { MAX_LITERAL_DEPTH, parsePyLiteral, type PyLiteral } from './python-literal.js';
