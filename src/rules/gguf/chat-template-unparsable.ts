import { defineRule } from '../define-rule.js';
import type { GgufHeader } from '../../formats/gguf/index.js';
import { chatTemplatesOf } from './chat-templates.js';

/** A template the analyser cannot parse cannot be proven free of sandbox escapes. */
export default defineRule<GgufHeader, 'unparsable'>({
  id: 'gguf/chat-template-unparsable',
  title: 'Chat template cannot be parsed',
  target: 'gguf',
  severity: 'medium',
  confidence: 'medium',
  policy: 'torchward default-deny: a file is safe only when proven safe',
  verdict: 'suspicious',
  messages: {
    unparsable:
      'chat template `{{key}}` cannot be parsed ({{detail}}), so it cannot be proven free of sandbox escapes',
  },
  check(ctx, header) {
    for (const t of chatTemplatesOf(header)) {
      if (t.error === undefined) continue;
      ctx.report({
        messageId: 'unparsable',
        data: { key: t.key, detail: t.error.message },
        at: { span: t.span, path: ['metadata', t.key] },
      });
    }
  },
});
