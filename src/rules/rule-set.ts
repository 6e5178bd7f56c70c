import type { Rule, RuleTarget } from './define-rule.js';

/** An immutable set of rules, indexed by id and by target. */
export class RuleSet {
  /** Every rule, sorted by id. */
  readonly all: readonly Rule[];
  private readonly byIdMap: ReadonlyMap<string, Rule>;
  private readonly byTarget: ReadonlyMap<RuleTarget, readonly Rule[]>;

  constructor(families: readonly (readonly Rule[])[]) {
    this.all = families.flat().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.byIdMap = new Map(this.all.map((rule) => [rule.id, rule]));
    const byTarget = new Map<RuleTarget, Rule[]>();
    for (const rule of this.all) {
      const list = byTarget.get(rule.target) ?? [];
      list.push(rule);
      byTarget.set(rule.target, list);
    }
    this.byTarget = byTarget;
  }

  /** The rule with this id, or undefined. */
  byId(id: string): Rule | undefined {
    return this.byIdMap.get(id);
  }

  /** The rules that read `target` inputs, sorted by id. */
  forTarget(target: RuleTarget): readonly Rule[] {
    return this.byTarget.get(target) ?? [];
  }
}
