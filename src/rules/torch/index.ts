import malformedInput from './malformed-input.js';
import torchscriptArchive from './torchscript-archive.js';

/** torch container rules, sorted by id. */
export const torchRules = [malformedInput, torchscriptArchive] as const;
