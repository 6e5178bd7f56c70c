import type { DeployFile } from '../deploy/model.js';
import type { GgufHeader } from '../formats/gguf/index.js';
import type { KerasConfig } from '../formats/keras/index.js';
import type { NpyModel } from '../formats/npy/index.js';
import type { PickleScanInput } from '../formats/pickle/scan-input.js';
import type { TorchScriptCode } from '../formats/python/torchscript.js';
import type { SafetensorsHeader } from '../formats/safetensors/header.js';
import type { TfGraph } from '../formats/tensorflow/index.js';
import type { ArchiveModel, TorchZipModel } from '../formats/zip/index.js';
import type { RepoSnapshot } from '../github/snapshot.js';
import type { SignatureCheck } from '../core/signature-check.js';
import type { WorkflowAuditInput } from '../workflows/audit-input.js';
import type { CodeAuditInput } from './code/input.js';
import type { Rule, RuleTarget } from './define-rule.js';
import type { OnnxInput } from './onnx/input.js';
import type { PrivacyInput } from './privacy/input.js';
import type { RepositoryFile } from './repository/input.js';

/**
 * The typed seam between the engine and the rules: the input model each rule target reads. The
 * engine hands `RuleInputs[T]` to the rules of target `T` (`UnitContext.check`, `runRules`,
 * `loadRulesFor`), so a handler that passes the wrong model fails to compile.
 */
export interface RuleInputs {
  readonly pickle: PickleScanInput;
  readonly archive: ArchiveModel;
  readonly torch: TorchZipModel;
  readonly torchscript: TorchScriptCode;
  readonly safetensors: SafetensorsHeader;
  readonly npy: NpyModel;
  readonly gguf: GgufHeader;
  readonly onnx: OnnxInput;
  readonly keras: KerasConfig;
  readonly tensorflow: TfGraph;
  readonly repository: RepositoryFile;
  readonly workflow: WorkflowAuditInput;
  readonly deploy: DeployFile;
  readonly code: CodeAuditInput;
  readonly provenance: SignatureCheck;
  readonly github: RepoSnapshot;
  /** Reserved; no family reads it. */
  readonly input: never;
  readonly privacy: PrivacyInput;
}

/** The input model of `T`; fails to compile when a RuleTarget has no entry in RuleInputs. */
export type RuleInputOf<T extends RuleTarget> = RuleInputs[T];

/** A rule of target `T`, reading that target's input model. */
export type RuleOf<T extends RuleTarget> = Rule<RuleInputOf<T>>;
