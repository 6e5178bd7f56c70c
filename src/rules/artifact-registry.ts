import { archiveRules } from './archive/index.js';
import { ggufRules } from './gguf/index.js';
import { kerasRules } from './keras/index.js';
import { modelRules } from './model/index.js';
import { numpyRules } from './numpy/index.js';
import { onnxRules } from './onnx/index.js';
import { pickleRules } from './pickle/index.js';
import { RuleSet } from './rule-set.js';
import { safetensorsRules } from './safetensors/index.js';
import { sevenzipRules } from './sevenzip/index.js';
import { tensorflowRules } from './tensorflow/index.js';
import { torchRules } from './torch/index.js';

/**
 * The rule families that judge model artifacts, listed by hand. The engine's unit scanner needs
 * only these, so scanning or converting a checkpoint does not load the workflow, repository and
 * provenance rules (and the YAML front end they bring).
 */
export const ARTIFACT_RULES = new RuleSet([
  archiveRules,
  ggufRules,
  kerasRules,
  modelRules,
  numpyRules,
  onnxRules,
  pickleRules,
  safetensorsRules,
  sevenzipRules,
  tensorflowRules,
  torchRules,
]);
