export { tokenizeShell, type ShellCommand, type ShellLimits, type ShellWord } from './tokenize.js';
export { parseDockerfile, type DockerInstruction } from './dockerfile.js';
export { findPipInstalls, type PipInstall } from './pip.js';
export { programOf, optionValue } from './command.js';
