import { ARTIFACT_RULES } from './artifact-registry.js';
import { ciRules } from './ci/index.js';
import { codeRules } from './code/index.js';
import type { Rule, RuleTarget } from './define-rule.js';
import { deployRules } from './deploy/index.js';
import { privacyRules } from './privacy/index.js';
import { provenanceRules } from './provenance/index.js';
import { repoRules } from './repo/index.js';
import { repositoryRules } from './repository/index.js';
import { RuleSet } from './rule-set.js';

// Every rule family, listed by hand (no auto-discovery): the artifact families
// (artifact-registry.ts) plus the audits of workflows, repositories and signatures. Each family's
// index lists its rules sorted. Add an artifact family there, any other family here.
const REGISTRY = new RuleSet([
  ARTIFACT_RULES.all,
  ciRules,
  deployRules,
  codeRules,
  privacyRules,
  provenanceRules,
  repoRules,
  repositoryRules,
]);

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
