import type { Finding } from '../core/finding.js';
import { makeFinding, type Rule, type RuleContext, type RuleTarget } from './define-rule.js';
import type { RuleFailure } from './rule-failure.js';
import type { RuleInputOf, RuleOf } from './rule-inputs.js';

export { describeRuleFailure, type RuleFailure } from './rule-failure.js';

// Test-only rules run after the registered ones of their target (see addTestRule).
const testRules = new Map<RuleTarget, Rule<unknown>[]>();

/**
 * Runs `rules` (the rules of `target`) over `input` and returns their findings. This is the one
 * rule runner of every family: a rule that throws is recorded in `failures` (see RuleFailure)
 * and the other rules still run; nothing a rule throws becomes a finding or escapes.
 */
export function runRules<T extends RuleTarget>(
  target: T,
  rules: readonly RuleOf<T>[],
  input: RuleInputOf<T>,
  base: Omit<RuleContext, 'report'>,
  failures: RuleFailure[],
): Finding[] {
  const out: Finding[] = [];
  const extra = testRules.get(target);
  const all: readonly RuleOf<T>[] = extra === undefined ? rules : [...rules, ...extra];
  // One context for all the rules of this input, reporting for the rule being run: a context
  // per rule (spread of `base` plus a closure) was measured on the workflow bench as V8 runtime
  // calls defining the `report` property for every rule of every file.
  let current: Rule | undefined;
  const ctx: RuleContext = {
    ...base,
    report: (report) => {
      // Rules are synchronous; a report after the rule returned has no rule to speak for.
      if (current === undefined) throw new Error('report() called after the rule returned');
      out.push(makeFinding(current, base, report));
    },
  };
  for (const rule of all) {
    current = rule;
    try {
      rule.check(ctx, input);
    } catch (error) {
      failures.push({
        ruleId: rule.id,
        uri: base.uri,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  current = undefined;
  return out;
}

/**
 * Test hook: runs `rule` after the registered rules of its target in every audit until the
 * returned function is called. Tests use it to prove each family's path treats a throwing rule
 * as an internal error without editing a real rule. Not for production use.
 *
 * @internal
 */
export function addTestRule(rule: Rule<unknown>): () => void {
  const list = testRules.get(rule.target) ?? [];
  list.push(rule);
  testRules.set(rule.target, list);
  return () => {
    const at = list.indexOf(rule);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) testRules.delete(rule.target);
  };
}
