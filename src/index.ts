// The public library API: every export is named here (no `export *`), so changing this list is an
// API change (test/api.test.ts pins it).

// Core types and bounds.
export type { Confidence, Finding, Location, Severity, Span, Verdict } from './core/finding.js';
export { FormatError, type FormatErrorCode } from './core/errors.js';
export { DEFAULT_LIMITS, makeLimits, type Limits } from './core/limits.js';
export { FileSource, MemorySource, type ByteSource } from './core/byte-source.js';
export type { RuleDescriptor } from './core/rule-descriptor.js';

// Scanning.
export { scanBytes, scanFile, scanPaths, failsGate, type ScanOptions } from './engine/scan.js';
export type { FileResult, MemberResult, ScanReport, ScanSummary } from './engine/result.js';
export { loadConfig, parseConfig, ConfigError, type TorchwardConfig } from './engine/config.js';

// Reporting.
export { renderJson } from './reporters/json.js';
export { renderSarif } from './cli/render-sarif.js';
export type { SarifOptions } from './reporters/sarif.js';
export type { ReportFile, ReportInput } from './reporters/report-model.js';
export { renderText, type TextOptions } from './reporters/text.js';

// Decoders (no judgement): the symbolic pickle VM and the safetensors header validator.
export {
  decodePickle,
  decodePickleSource,
  type PickleDecodeOptions,
  type PickleSourceOptions,
} from './formats/pickle/vm.js';
export type { PickleDecodeResult } from './formats/pickle/records.js';
export type { PickleValue } from './formats/pickle/value.js';
export { looksLikePickle } from './formats/pickle/sniff.js';
export {
  readSafetensorsHeader,
  parseSafetensorsHeader,
  type SafetensorsHeader,
  type SafetensorsTensor,
} from './formats/safetensors/index.js';

export {
  readGgufHeader,
  parseGgufHeader,
  type GgufHeader,
  type GgufMetadataEntry,
  type GgufTensorInfo,
} from './formats/gguf/index.js';

// The weights-only policy data.
export {
  WEIGHTS_ONLY_ALLOWLIST,
  TORCH_1_13_ALLOWLIST,
  TORCH_2_13_ALLOWLIST,
} from './rules/pickle/policy/allowlist.js';
export {
  GADGETS,
  matchGadget,
  type Gadget,
  type GadgetCategory,
} from './rules/pickle/policy/gadgets.js';

// GitHub Actions audit.
export {
  auditWorkflowFiles,
  isWorkflowPath,
  parseWorkflowAuditConfig,
  type WorkflowAuditConfig,
  type WorkflowAuditResult,
} from './engine/workflow-audit.js';

// Weights-only loading and safetensors conversion (opens only what the scanner calls safe).
export {
  openCheckpoint,
  convertToSafetensors,
  readTensorBytes,
  TensorReader,
  LoadError,
  type Checkpoint,
  type CheckpointKind,
  type ConvertOptions,
  type ConvertResult,
  type Dtype,
  type LoadErrorCode,
  type LoadedTensor,
  type MetadataLeaf,
  type OpenOptions,
  type StorageRef,
} from './loader/index.js';

// Model repositories as a whole.
export { auditModelRepository } from './engine/repository-audit.js';

// Provenance: hashing, OpenSSF model signing (OMS v1.0) and verification.
export {
  verifyModel,
  type VerifyOptions,
  type VerifyProblem,
  type VerifyProblemCode,
  type VerifyResult,
} from './provenance/verify.js';
export {
  signModel,
  DEFAULT_SIGNATURE_NAME,
  type SignOptions,
  type SignResult,
} from './provenance/sign.js';
// The caller verifies and hands the results to the scan (ScanOptions.signatures).
export {
  checkModelSignature,
  checkModelSignatures,
  type SignaturePolicy,
} from './provenance/policy.js';
export type { SignatureCheck } from './core/signature-check.js';
export {
  buildManifest,
  rootDigestOf,
  type Manifest,
  type ManifestResource,
} from './provenance/manifest.js';
export { ProvenanceError, type ProvenanceErrorCode } from './provenance/errors.js';
export { parseChecksumList, parseLfsPointer } from './formats/checksums/index.js';

// Rules.
export { ALL_RULES } from './rules/registry.js';
export type { Rule, RuleTarget } from './rules/define-rule.js';

// The CLI as a function (exit code out), for embedding and tests.
export { main } from './cli/run.js';
export type { CliIo } from './cli/io.js';

// Untrusted inputs: the guard (sanitiser stages, heuristic and linear-model detectors, proxy).
export { guard, guardThresholds, combineScores, type GuardOptions } from './guard/guard.js';
export {
  DEFAULT_GUARD_CONFIG,
  GuardConfigError,
  parseGuardConfig,
  type EncodeMode,
  type GuardConfig,
  type SpotlightMode,
} from './guard/config.js';
export type {
  GuardFinding,
  GuardMode,
  GuardRecordError,
  GuardResult,
  GuardStage,
} from './guard/types.js';
export { skeleton } from './guard/confusables.js';
export { escapeHtml, escapeMarkdown, spotlight, type Spotlighted } from './guard/encode.js';
export {
  startGuardProxy,
  type GuardProxy,
  type GuardProxyOptions,
  type ProxyPolicy,
} from './guard/proxy.js';
export {
  guardWithClassifier,
  loadOnnxClassifier,
  type OnnxClassifier,
  type OnnxClassifierOptions,
} from './guard/onnx.js';
