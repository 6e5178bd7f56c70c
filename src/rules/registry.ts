import type { Rule, RuleTarget } from './define-rule.js';
import { archiveRules } from './archive/index.js';
import { ciRules } from './ci/index.js';
import { ggufRules } from './gguf/index.js';
import { kerasRules } from './keras/index.js';
import { modelRules } from './model/index.js';
import { numpyRules } from './numpy/index.js';
import { onnxRules } from './onnx/index.js';
import { pickleRules } from './pickle/index.js';
import { provenanceRules } from './provenance/index.js';
import { repositoryRules } from './repository/index.js';
import { safetensorsRules } from './safetensors/index.js';
import { sevenzipRules } from './sevenzip/index.js';
import { tensorflowRules } from './tensorflow/index.js';
import { torchRules } from './torch/index.js';

// Every rule family, listed by hand (no auto-discovery). Each family's index lists its rules sorted.
// Add a family with one import above and one spread below.
const FAMILIES: readonly (readonly Rule[])[] = [
  archiveRules,
  ciRules,
  ggufRules,
  kerasRules,
  modelRules,
  numpyRules,
  onnxRules,
  pickleRules,
  provenanceRules,
  repositoryRules,
  safetensorsRules,
  sevenzipRules,
  tensorflowRules,
  torchRules,
];

/** Every rule, sorted by id. */
export const ALL_RULES: readonly Rule[] = FAMILIES.flat().sort((a, b) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
);

const BY_ID = new Map(ALL_RULES.map((rule) => [rule.id, rule]));
const BY_TARGET = new Map<RuleTarget, Rule[]>();
for (const rule of ALL_RULES) {
  const list = BY_TARGET.get(rule.target) ?? [];
  list.push(rule);
  BY_TARGET.set(rule.target, list);
}

/** The rule with this id, or undefined. */
export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/** The rules that read `target` inputs, sorted by id. */
export function rulesFor(target: RuleTarget): readonly Rule[] {
  return BY_TARGET.get(target) ?? [];
}
