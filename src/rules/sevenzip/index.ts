import encrypted from './encrypted.js';
import malformedInput from './malformed-input.js';

/** 7z archive rules, sorted by id. */
export const sevenzipRules = [encrypted, malformedInput] as const;
