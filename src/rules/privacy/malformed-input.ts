import { defineRule } from '../define-rule.js';
import type { PrivacyInput } from './input.js';

/**
 * Part of a data file could not be read as data: a record that is not JSON, nested too deep or
 * too long, a column chunk past the limit, binary bytes in a text column, a Parquet footer that
 * lies. What could be read was still searched (often as plain text); this says what was not.
 */
export default defineRule<PrivacyInput, 'problem'>({
  id: 'privacy/malformed-input',
  title: 'Data file could not be read in full for the privacy scan',
  target: 'privacy',
  severity: 'low',
  confidence: 'high',
  policy: 'torchward: malformed input is reported, never skipped silently',
  messages: { problem: '{{message}} ({{code}}){{where}}' },
  check(ctx, input) {
    for (const p of input.problems) {
      const where = [
        ...(p.line === undefined ? [] : [`line ${p.line}`]),
        ...(p.column === undefined ? [] : [`column ${p.column}`]),
      ].join(', ');
      ctx.report({
        messageId: 'problem',
        data: { code: p.code, message: p.message, where: where === '' ? '' : ` at ${where}` },
        // A read that stopped early leaves the rest of the file unsearched: worse than a skip.
        ...(p.fatal === true ? { severity: 'medium' as const } : {}),
        at: {
          span: { start: 0, end: 0 },
          path: p.column === undefined ? [] : [p.column],
          ...(p.line === undefined ? {} : { line: p.line }),
        },
      });
    }
  },
});
