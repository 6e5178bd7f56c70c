import malformedInput from './malformed-input.js';
import torchscriptArchive from './torchscript-archive.js';
import torchscriptCode from './torchscript-code.js';

/** torch container rules, sorted by id. */
export const torchRules = [malformedInput, torchscriptArchive, torchscriptCode] as const;
