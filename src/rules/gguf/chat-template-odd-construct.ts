import { defineRule } from '../define-rule.js';
import type { GgufHeader } from '../../formats/gguf/index.js';
import { chatTemplatesOf } from './chat-templates.js';
import { analyseTemplate } from './template-analysis.js';

/** Constructs no ordinary chat template needs, but that do not escape the sandbox on their own. */
export default defineRule<GgufHeader, 'odd'>({
  id: 'gguf/chat-template-odd-construct',
  title: 'Chat template uses an unusual construct',
  target: 'gguf',
  severity: 'low',
  confidence: 'low',
  policy: 'CWE-1336',
  verdict: 'suspicious',
  messages: {
    odd: 'chat template `{{key}}` uses {{construct}}, which chat templates do not normally need',
  },
  check(ctx, header) {
    for (const t of chatTemplatesOf(header)) {
      if (t.ast === undefined) continue;
      for (const issue of analyseTemplate(t.ast)) {
        if (issue.kind !== 'odd') continue;
        ctx.report({
          messageId: 'odd',
          data: { key: t.key, construct: issue.construct },
          at: { span: t.span, path: ['metadata', t.key] },
        });
      }
    }
  },
});
