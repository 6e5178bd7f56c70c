import type { Span } from '../core/finding.js';
import type { MergeRules } from './merge-rules.js';
import { isCatchAll, matchesPattern } from './merge-rules.js';

/** One lint finding about a rules file; `code` is stable. */
export interface MergeLintFinding {
  readonly code:
    | 'no-match'
    | 'no-approvers'
    | 'overlapping-catch-all'
    | 'duplicate-name'
    | 'BAD_YAML'
    | 'BAD_STRUCTURE'
    | 'BAD_PATTERN'
    | 'BAD_APPROVER'
    | 'LIMIT_EXCEEDED';
  readonly message: string;
  readonly span: Span;
}

/**
 * Lints a parsed rules file against the repository's file list: patterns that match no file,
 * rules that ask for no approval (trymerge merges those without review), more than one catch-all
 * rule (the weakest one decides every file), duplicate rule names, and every parse problem.
 * Matching is linear per file and pattern, so the cost is files × patterns × path length.
 */
export function lintMergeRules(parsed: MergeRules, tree: readonly string[]): MergeLintFinding[] {
  const out: MergeLintFinding[] = parsed.problems.map((p) => ({
    code: p.code,
    message: p.message,
    span: p.span,
  }));
  const names = new Map<string, string>();
  let firstCatchAll: string | undefined;
  for (const rule of parsed.rules) {
    const seen = names.get(rule.name.toLowerCase());
    if (seen !== undefined) {
      out.push({
        code: 'duplicate-name',
        message: `rule name "${rule.name}" is used twice; messages naming it are ambiguous`,
        span: rule.span,
      });
    }
    names.set(rule.name.toLowerCase(), rule.name);
    if (rule.approvedBy.length === 0) {
      out.push({
        code: 'no-approvers',
        message: `rule "${rule.name}" has no approved_by: files it matches merge without any review`,
        span: rule.span,
      });
    }
    const catchAll = rule.patterns.find(isCatchAll);
    if (catchAll !== undefined) {
      if (firstCatchAll === undefined) firstCatchAll = rule.name;
      else {
        out.push({
          code: 'overlapping-catch-all',
          message: `rule "${rule.name}" has catch-all pattern "${catchAll.source}", as rule "${firstCatchAll}" does: every file is governed by whichever of them is easier to satisfy`,
          span: catchAll.span,
        });
      }
    }
    for (const pattern of rule.patterns) {
      if (isCatchAll(pattern)) continue;
      if (!tree.some((file) => matchesPattern(pattern, file))) {
        out.push({
          code: 'no-match',
          message: `pattern "${pattern.source}" of rule "${rule.name}" matches no file in the tree`,
          span: pattern.span,
        });
      }
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}
