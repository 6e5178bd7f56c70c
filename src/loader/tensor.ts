import type { ByteSource } from '../core/byte-source.js';
import type { Dtype } from './dtype.js';
import type { TensorGeometry } from './storage-bounds.js';

/**
 * Where one storage's bytes live: `[start, start + nbytes)` of `source`. For a stored zip member
 * or a legacy stream this is a window of the checkpoint file itself, read by position.
 */
export interface StorageRef {
  /** The storage's key in its container ('0', 'archive/data/0', a legacy root key, a npy name). */
  readonly key: string;
  readonly source: ByteSource;
  /** Absolute offset of the storage's first byte in `source`. */
  readonly start: number;
  readonly nbytes: number;
  /** True when the bytes are big-endian and must be swapped to little-endian. */
  readonly bigEndian: boolean;
}

/** One tensor of a checkpoint, validated against its storage; its bytes are not read yet. */
export interface LoadedTensor extends TensorGeometry {
  /** State-dict key; nested containers joined with '.'. */
  readonly name: string;
  readonly dtype: Dtype;
  readonly storage: StorageRef;
  /** True for torch.nn.Parameter. */
  readonly parameter: boolean;
}

/**
 * A non-tensor leaf (epoch, lr, a name): its key and the string stored for it in safetensors
 * `__metadata__` (JSON text for pickle leaves; the original string for safetensors inputs).
 */
export interface MetadataLeaf {
  readonly name: string;
  readonly value: string;
}
