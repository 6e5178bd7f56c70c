import { defineMalformedRule } from '../malformed.js';
import hydraTarget from './hydra-target.js';
import pythonFile from './python-file.js';
import remoteCode from './remote-code.js';

/** Model repository rules, sorted by id. */
export const repositoryRules = [
  hydraTarget,
  defineMalformedRule('repository', 'repository', 'Model repository config'),
  pythonFile,
  remoteCode,
] as const;
