export { convertToSafetensors, type ConvertOptions, type ConvertResult } from './convert.js';
export { DTYPES, type Dtype } from './dtype.js';
export { LoadError, type LoadErrorCode } from './errors.js';
export {
  openCheckpoint,
  type Checkpoint,
  type CheckpointKind,
  type OpenOptions,
} from './open-checkpoint.js';
export {
  planSafetensors,
  writeSafetensors,
  type PlannedTensor,
  type SafetensorsPlan,
  type WriteOptions,
} from './safetensors-writer.js';
export type { TensorGeometry } from './storage-bounds.js';
export type { LoadedTensor, MetadataLeaf, StorageRef } from './tensor.js';
export { readTensorBytes, TensorReader } from './tensor-reader.js';
