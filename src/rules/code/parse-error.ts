import { defineRule } from '../define-rule.js';
import type { CodeAuditInput } from './input.js';
import type { PythonNeeds } from './needs.js';

/**
 * Nothing: the syntax errors this rule reports come from a parse, and the audit parses only files
 * another rule could report on (a file it skips is complete: no rule can fire, whatever its
 * syntax), and of those only the statements the rules read (see slicePython). Problems found
 * before parsing (decoding, size, nesting) are still reported.
 */
export const pythonNeeds: PythonNeeds = {};

/**
 * A code file that could not be read or parsed in full: not UTF-8, binary, too large, nested
 * deeper than Python allows, a syntax error, a notebook that is not nbformat JSON. What could be
 * read is still checked by the other `code/*` rules.
 */
export default defineRule<CodeAuditInput, 'unreadable' | 'syntax'>({
  id: 'code/parse-error',
  title: 'Code file could not be parsed in full',
  target: 'code',
  severity: 'low',
  confidence: 'high',
  policy: 'torchward: malformed input is reported, never skipped silently',
  messages: {
    unreadable: 'not audited in full: {{message}} ({{code}})',
    syntax:
      'Python syntax error here: the code around it was read as far as the parser could recover',
  },
  check(ctx, input) {
    if (input.problem !== undefined) {
      ctx.report({
        messageId: 'unreadable',
        data: { code: input.problem.code, message: input.problem.message },
        at: { span: input.problem.span, path: [] },
      });
    }
    const error = input.python?.syntaxError;
    if (error !== undefined) {
      ctx.report({ messageId: 'syntax', at: { span: error, path: ['syntax'] } });
    }
  },
});
