import { defineMalformedRule } from '../malformed.js';
import chatTemplateInjection from './chat-template-injection.js';
import chatTemplateOddConstruct from './chat-template-odd-construct.js';
import chatTemplateUnparsable from './chat-template-unparsable.js';

/** GGUF rules, sorted by id. */
export const ggufRules = [
  chatTemplateInjection,
  chatTemplateOddConstruct,
  chatTemplateUnparsable,
  defineMalformedRule('gguf', 'gguf', 'GGUF file'),
] as const;
