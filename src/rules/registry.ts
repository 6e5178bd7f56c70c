import type { Rule, RuleTarget } from './define-rule.js';
import { loadAllRules } from './families.js';

// The whole rule set, loaded from the family table (families.ts) when this module is imported:
// for the library API and the commands that list or describe every rule. The engine loads only
// the families a scan needs (loadRulesFor).
const REGISTRY = await loadAllRules();

/** Every rule, sorted by id. */
export const ALL_RULES: readonly Rule[] = REGISTRY.all;

/** The rule with this id, or undefined. */
export function ruleById(id: string): Rule | undefined {
  return REGISTRY.byId(id);
}

/** The rules that read `target` inputs, sorted by id. */
export function rulesFor(target: RuleTarget): readonly Rule[] {
  return REGISTRY.forTarget(target);
}
