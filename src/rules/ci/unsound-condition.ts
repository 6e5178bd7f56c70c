import { at } from '../../workflows/audit-input.js';
import type { WorkflowAuditInput } from '../../workflows/audit-input.js';
import { findExpressions } from '../../workflows/expressions.js';
import type { YScalar } from '../../workflows/yaml-tree.js';
import { defineRule } from '../define-rule.js';

/**
 * Whether an `if:` is always true: when `${{ }}` is mixed with other text (including the newline a
 * `|` block scalar keeps), GitHub evaluates the whole value as a non-empty string.
 */
function alwaysTrue(condition: YScalar): boolean {
  const text = condition.text;
  const expressions = findExpressions(text);
  if (expressions.length === 0) return false;
  const first = expressions[0];
  if (expressions.length === 1 && first !== undefined) {
    return text.slice(0, first.start).length > 0 || text.slice(first.end).length > 0;
  }
  return true;
}

// `contains('main develop', github.ref)`: a substring test, so `refs/heads/mai` or `a` passes.
const STRING_CONTAINS = /\bcontains\(\s*'[^']*'\s*,/i;

export default defineRule<WorkflowAuditInput, 'alwaysTrue' | 'substringContains'>({
  id: 'ci/unsound-condition',
  title: '`if:` condition that is always true',
  target: 'workflow',
  severity: 'high',
  confidence: 'high',
  equivalents: { zizmor: ['unsound-condition', 'unsound-contains'] },
  policy: 'PyTorch P2, P3 (gates on privileged jobs must hold)',
  messages: {
    substringContains:
      '`contains()` with a string first argument is a substring test, so a branch or user named after any part of it passes; compare against `fromJSON(\'["main", "develop"]\')` or use `==`.',
    alwaysTrue:
      "This `if:` mixes `${{ }}` with other text (or keeps a block scalar's newline), so GitHub sees a non-empty string and the condition is always true; write the whole condition inside one `${{ }}` or without braces.",
  },
  check(ctx, { workflow }) {
    const check = (condition: YScalar | undefined): void => {
      if (condition === undefined) return;
      if (alwaysTrue(condition)) ctx.report({ messageId: 'alwaysTrue', at: at(condition) });
      else if (STRING_CONTAINS.test(condition.text)) {
        ctx.report({ messageId: 'substringContains', at: at(condition), severity: 'medium' });
      }
    };
    for (const job of workflow.jobs) {
      check(job.if);
      for (const step of job.steps) check(step.if);
    }
  },
});
