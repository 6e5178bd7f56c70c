import hydraTarget from './hydra-target.js';
import malformedInput from './malformed-input.js';
import pythonFile from './python-file.js';
import remoteCode from './remote-code.js';

/** Model repository rules, sorted by id. */
export const repositoryRules = [hydraTarget, malformedInput, pythonFile, remoteCode] as const;
