import { FormatError } from '../../core/errors.js';
import type { Span } from '../../core/finding.js';
import { parseChatTemplate, type TemplateNode } from '../../formats/gguf/chat-template.js';
import type { GgufHeader } from '../../formats/gguf/index.js';

/** A chat template stored in GGUF metadata, parsed or not. */
export interface GgufChatTemplate {
  readonly key: string;
  readonly text: string;
  readonly span: Span;
  readonly ast: TemplateNode | undefined;
  readonly error: FormatError | undefined;
}

// Real templates are a few KB; the largest seen in the wild are under 100 KB.
/** Longest chat template parsed, in UTF-16 units; a longer one is reported as unparsable. */
export const MAX_TEMPLATE_CHARS = 1_000_000;

/**
 * The chat templates of a GGUF header: `tokenizer.chat_template` and the named variants
 * `tokenizer.chat_template.<name>` (llama.cpp), each parsed (never rendered).
 */
export function chatTemplatesOf(header: GgufHeader): GgufChatTemplate[] {
  const out: GgufChatTemplate[] = [];
  for (const entry of header.metadata) {
    if (
      entry.key !== 'tokenizer.chat_template' &&
      !entry.key.startsWith('tokenizer.chat_template.')
    )
      continue;
    if (typeof entry.value !== 'string') continue;
    try {
      out.push({
        key: entry.key,
        text: entry.value,
        span: entry.valueSpan,
        ast: parseChatTemplate(entry.value, MAX_TEMPLATE_CHARS),
        error: undefined,
      });
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      out.push({ key: entry.key, text: entry.value, span: entry.valueSpan, ast: undefined, error });
    }
  }
  return out;
}
