import chatTemplateInjection from './chat-template-injection.js';
import hydraTarget from './hydra-target.js';
import malformedInput from './malformed-input.js';
import pythonFile from './python-file.js';
import remoteCode from './remote-code.js';

/** Model repository rules, sorted by id. */
export const repositoryRules = [
  chatTemplateInjection,
  hydraTarget,
  malformedInput,
  pythonFile,
  remoteCode,
] as const;
