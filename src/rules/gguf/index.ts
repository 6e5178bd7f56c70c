import chatTemplateInjection from './chat-template-injection.js';
import chatTemplateOddConstruct from './chat-template-odd-construct.js';
import chatTemplateUnparsable from './chat-template-unparsable.js';
import malformedInput from './malformed-input.js';

/** GGUF rules, sorted by id. */
export const ggufRules = [
  chatTemplateInjection,
  chatTemplateOddConstruct,
  chatTemplateUnparsable,
  malformedInput,
] as const;
