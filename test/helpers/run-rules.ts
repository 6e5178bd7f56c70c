import type { Finding } from '../../src/core/finding.js';
import type { Rule, RuleContext } from '../../src/rules/define-rule.js';
import { runRules as runRegistered, type RuleFailure } from '../../src/rules/run-rules.js';

/**
 * Rule tables call the engine's one runner (src/rules/run-rules.ts) with this callback shape:
 * each rule that throws is handed to `onInternalError` (tests fail on it).
 */
export function runRules<T>(
  rules: readonly Rule<T>[],
  input: T,
  base: Omit<RuleContext, 'report'>,
  onInternalError: (ruleId: string, error: unknown) => void,
): Finding[] {
  const failures: RuleFailure[] = [];
  // Tables name rules of one target; the runner's types tie rules to their target's input.
  const found = runRegistered(
    rules[0]?.target ?? 'archive',
    rules as readonly Rule[],
    input as never,
    base,
    failures,
  );
  for (const f of failures) onInternalError(f.ruleId, new Error(f.message));
  return found;
}
