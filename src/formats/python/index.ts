export { loadPythonParser, type PythonParser } from './parser.js';
export {
  buildPythonModel,
  isSourceCall,
  type PyCall,
  type PyEnvSet,
  type PyLiteral,
  type PythonModel,
  type PyValue,
} from './model.js';
export {
  locateInNotebook,
  readNotebook,
  type Notebook,
  type NotebookCell,
  type NotebookShell,
} from './notebook.js';
export {
  compareRelease,
  isExactPin,
  normalizeName,
  parseRequirementSpec,
  parseRequirementsFile,
  releaseOf,
  specifierRange,
  type RequirementLine,
  type RequirementOption,
  type RequirementSpec,
  type RequirementsFile,
} from './requirements.js';
export { MAX_PYTHON_NESTING, bracketDepth, decodePythonSource } from './source.js';
