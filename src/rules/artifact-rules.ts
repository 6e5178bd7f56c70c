import archiveMalformed from './archive/malformed-input.js';
import type { Rule, RuleTarget } from './define-rule.js';
import ggufMalformed from './gguf/malformed-input.js';
import kerasMalformed from './keras/malformed-input.js';
import { modelRules } from './model/index.js';
import numpyMalformed from './numpy/malformed-input.js';
import onnxMalformed from './onnx/malformed-input.js';
import pickleMalformed from './pickle/malformed-input.js';
import { RuleSet } from './rule-set.js';
import safetensorsMalformed from './safetensors/malformed-input.js';
import sevenzipMalformed from './sevenzip/malformed-input.js';
import tensorflowMalformed from './tensorflow/malformed-input.js';
import torchMalformed from './torch/malformed-input.js';

/**
 * The model-artifact rules as the unit scanner uses them: the engine's own rules (model/*) and
 * every family's malformed-input rule load with this module; a family's other rules load the
 * first time a unit of its target is checked, so converting a torch checkpoint does not load the
 * GGUF, ONNX, Keras or TensorFlow rules (about 20 ms of start-up). ARTIFACT_RULES
 * (artifact-registry.ts) lists the same rules eagerly; a test holds the two equal for every
 * target.
 */
export const ENGINE_RULES = new RuleSet([
  modelRules,
  [
    archiveMalformed,
    ggufMalformed,
    kerasMalformed,
    numpyMalformed,
    onnxMalformed,
    pickleMalformed,
    safetensorsMalformed,
    sevenzipMalformed,
    tensorflowMalformed,
    torchMalformed,
  ],
]);

/** The rule families whose rules read each artifact target. */
const FAMILIES: Readonly<Record<ArtifactTarget, () => Promise<readonly (readonly Rule[])[]>>> = {
  // sevenzip/encrypted and model/* read archive listings too.
  archive: async () => [
    (await import('./archive/index.js')).archiveRules,
    (await import('./sevenzip/index.js')).sevenzipRules,
    modelRules,
  ],
  gguf: async () => [(await import('./gguf/index.js')).ggufRules],
  keras: async () => [(await import('./keras/index.js')).kerasRules],
  npy: async () => [(await import('./numpy/index.js')).numpyRules],
  onnx: async () => [(await import('./onnx/index.js')).onnxRules],
  pickle: async () => [(await import('./pickle/index.js')).pickleRules],
  safetensors: async () => [(await import('./safetensors/index.js')).safetensorsRules],
  tensorflow: async () => [(await import('./tensorflow/index.js')).tensorflowRules],
  torch: async () => [(await import('./torch/index.js')).torchRules],
  torchscript: async () => [(await import('./torch/index.js')).torchRules],
};

/** The targets model-artifact handlers check. */
export type ArtifactTarget = Extract<
  RuleTarget,
  | 'archive'
  | 'gguf'
  | 'keras'
  | 'npy'
  | 'onnx'
  | 'pickle'
  | 'safetensors'
  | 'tensorflow'
  | 'torch'
  | 'torchscript'
>;

const loaded = new Map<RuleTarget, Promise<readonly Rule[]>>();

/**
 * Every artifact rule that reads `target`, sorted by id (the order ARTIFACT_RULES.forTarget
 * gives). Throws for a target no artifact family reads: a handler checking one is a bug, and
 * running no rules would let its input pass unjudged.
 */
export function artifactRulesFor(target: RuleTarget): Promise<readonly Rule[]> {
  let rules = loaded.get(target);
  if (rules === undefined) {
    const load = (
      FAMILIES as Partial<Record<RuleTarget, () => Promise<readonly (readonly Rule[])[]>>>
    )[target];
    if (load === undefined) {
      return Promise.reject(new Error(`no artifact rule family reads target ${target}`));
    }
    rules = load().then((families) => new RuleSet(families).forTarget(target));
    loaded.set(target, rules);
  }
  return rules;
}
