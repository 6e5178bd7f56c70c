import { defineRule } from '../define-rule.js';
import type { GgufHeader } from '../../formats/gguf/index.js';
import { chatTemplatesOf } from './chat-templates.js';
import { analyseTemplate, constructRange, dunderWords } from './template-analysis.js';

const UTF8 = new TextEncoder();

/** CVE-2024-34359: a GGUF chat template that reaches Python internals when rendered. */
export default defineRule<GgufHeader, 'escape'>({
  id: 'gguf/chat-template-injection',
  title: 'Chat template escapes the Jinja sandbox',
  target: 'gguf',
  severity: 'critical',
  confidence: 'high',
  policy: 'CWE-1336',
  verdict: 'malicious',
  messages: {
    escape:
      'chat template `{{key}}` uses `{{construct}}`, a Jinja sandbox escape (CVE-2024-34359): rendering it can run code',
  },
  check(ctx, header) {
    for (const t of chatTemplatesOf(header)) {
      const issues =
        t.ast === undefined
          ? dunderWords(t.text).map((construct) => ({ kind: 'escape', construct }))
          : analyseTemplate(t.ast);
      for (const issue of issues) {
        if (issue.kind !== 'escape') continue;
        // Point at the construct's bytes inside the template when it is spelled literally.
        const range = constructRange(t.text, issue.construct);
        const span =
          range === undefined
            ? t.span
            : {
                start: t.span.start + UTF8.encode(t.text.slice(0, range.start)).byteLength,
                end: t.span.start + UTF8.encode(t.text.slice(0, range.end)).byteLength,
              };
        ctx.report({
          messageId: 'escape',
          data: { key: t.key, construct: issue.construct },
          at: { span, path: ['metadata', t.key] },
          related: [{ span: t.span, path: ['metadata', t.key], label: 'the whole template' }],
        });
      }
    }
  },
});
