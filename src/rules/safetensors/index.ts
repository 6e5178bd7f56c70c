import malformedInput from './malformed-input.js';

/** safetensors rules, sorted by id. A valid file has no finding: it is safe. */
export const safetensorsRules = [malformedInput] as const;
