import archiveMalformed from './archive/malformed-input.js';
import type { Rule, RuleTarget } from './define-rule.js';
import ggufMalformed from './gguf/malformed-input.js';
import kerasMalformed from './keras/malformed-input.js';
import { modelRules } from './model/index.js';
import numpyMalformed from './numpy/malformed-input.js';
import onnxMalformed from './onnx/malformed-input.js';
import pickleMalformed from './pickle/malformed-input.js';
import type { RuleOf } from './rule-inputs.js';
import { RuleSet } from './rule-set.js';
import safetensorsMalformed from './safetensors/malformed-input.js';
import sevenzipMalformed from './sevenzip/malformed-input.js';
import tensorflowMalformed from './tensorflow/malformed-input.js';
import torchMalformed from './torch/malformed-input.js';

/** One rule family: the rules under `src/rules/<name>/`, listed by hand in its index.ts. */
export interface RuleFamily {
  /** The first part of its rule ids, its folder under src/rules/ and docs/rules/. */
  readonly name: string;
  /** The input models its rules read (the engine loads the family for these only). */
  readonly targets: readonly RuleTarget[];
  /**
   * Its `malformed-input` rule, for a family that reads a model-artifact format: loaded with this
   * table, because the engine reports it from a decoder's FormatError without loading the family.
   */
  readonly malformed?: Rule;
  /** Loads its rules, sorted by id. Called on first use only. */
  readonly load: () => Promise<readonly Rule[]>;
}

/**
 * Every rule family, sorted by name: the one registry table (no auto-discovery, STYLE §3).
 * `torchward rules`, SARIF rule metadata, config validation and the engine all read it. Families
 * load on first use (`loadRulesFor`), so scanning a torch checkpoint does not load the workflow,
 * GGUF or ONNX rules.
 */
export const RULE_FAMILIES: readonly RuleFamily[] = [
  {
    name: 'archive',
    targets: ['archive'],
    malformed: archiveMalformed,
    load: async () => (await import('./archive/index.js')).archiveRules,
  },
  { name: 'ci', targets: ['workflow'], load: async () => (await import('./ci/index.js')).ciRules },
  {
    name: 'code',
    targets: ['code'],
    load: async () => (await import('./code/index.js')).codeRules,
  },
  {
    name: 'deploy',
    targets: ['deploy'],
    load: async () => (await import('./deploy/index.js')).deployRules,
  },
  {
    name: 'gguf',
    targets: ['gguf'],
    malformed: ggufMalformed,
    load: async () => (await import('./gguf/index.js')).ggufRules,
  },
  {
    name: 'keras',
    targets: ['keras'],
    malformed: kerasMalformed,
    load: async () => (await import('./keras/index.js')).kerasRules,
  },
  // The engine's own rules (unknown format, nesting, internal error …): always loaded.
  { name: 'model', targets: ['archive'], load: () => Promise.resolve(modelRules) },
  {
    name: 'numpy',
    targets: ['npy'],
    malformed: numpyMalformed,
    load: async () => (await import('./numpy/index.js')).numpyRules,
  },
  {
    name: 'onnx',
    targets: ['onnx'],
    malformed: onnxMalformed,
    load: async () => (await import('./onnx/index.js')).onnxRules,
  },
  {
    name: 'pickle',
    targets: ['pickle'],
    malformed: pickleMalformed,
    load: async () => (await import('./pickle/index.js')).pickleRules,
  },
  {
    name: 'privacy',
    targets: ['privacy'],
    load: async () => (await import('./privacy/index.js')).privacyRules,
  },
  {
    name: 'provenance',
    targets: ['provenance'],
    load: async () => (await import('./provenance/index.js')).provenanceRules,
  },
  {
    name: 'repo',
    targets: ['github'],
    load: async () => (await import('./repo/index.js')).repoRules,
  },
  {
    name: 'repository',
    targets: ['repository'],
    load: async () => (await import('./repository/index.js')).repositoryRules,
  },
  {
    name: 'safetensors',
    targets: ['safetensors'],
    malformed: safetensorsMalformed,
    load: async () => (await import('./safetensors/index.js')).safetensorsRules,
  },
  {
    // sevenzip/encrypted reads archive listings.
    name: 'sevenzip',
    targets: ['archive'],
    malformed: sevenzipMalformed,
    load: async () => (await import('./sevenzip/index.js')).sevenzipRules,
  },
  {
    name: 'tensorflow',
    targets: ['tensorflow'],
    malformed: tensorflowMalformed,
    load: async () => (await import('./tensorflow/index.js')).tensorflowRules,
  },
  {
    name: 'torch',
    targets: ['torch', 'torchscript'],
    malformed: torchMalformed,
    load: async () => (await import('./torch/index.js')).torchRules,
  },
];

/**
 * The rules the engine reports itself, loaded with the table: model/* and every artifact
 * family's malformed-input rule (a FormatError becomes one without loading the family).
 */
export const ENGINE_RULES = new RuleSet([
  modelRules,
  RULE_FAMILIES.flatMap((f) => (f.malformed === undefined ? [] : [f.malformed])),
]);

const byTarget = new Map<RuleTarget, Promise<readonly Rule[]>>();
let everything: Promise<RuleSet> | undefined;

/**
 * Every rule that reads `target`, sorted by id, loading the families that read it (once).
 * Rejects for a target no family reads: a caller checking one is a bug, and running no rules
 * would let its input pass unjudged.
 */
export function loadRulesFor<T extends RuleTarget>(target: T): Promise<readonly RuleOf<T>[]> {
  let rules = byTarget.get(target);
  if (rules === undefined) {
    const families = RULE_FAMILIES.filter((f) => f.targets.includes(target));
    if (families.length === 0) {
      return Promise.reject(new Error(`no rule family reads target ${target}`));
    }
    rules = Promise.all(families.map((f) => f.load())).then((lists) =>
      new RuleSet(lists).forTarget(target),
    );
    byTarget.set(target, rules);
  }
  // Every rule's target is one its family declares (test/rules/families.test.ts), and a rule of
  // target T is defined over RuleInputs[T]; the table's list holds Rule<never>, which the
  // compiler lets stand for any input, so this is where that promise is kept.
  return rules;
}

/** Every rule of every family (loads them all), indexed by id and target. */
export function loadAllRules(): Promise<RuleSet> {
  everything ??= Promise.all(RULE_FAMILIES.map((f) => f.load())).then(
    (lists) => new RuleSet(lists),
  );
  return everything;
}
