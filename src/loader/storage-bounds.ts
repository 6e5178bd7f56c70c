import { LoadError } from './errors.js';

/** The validated geometry of one tensor, in elements and bytes. */
export interface TensorGeometry {
  readonly shape: readonly number[];
  /** Strides in elements. */
  readonly strides: readonly number[];
  /** Offset of element 0 in elements of the tensor's dtype. */
  readonly storageOffset: number;
  readonly numel: number;
  /** numel × itemsize. */
  readonly nbytes: number;
  /** Bytes of storage the tensor reaches: (offset + Σ(size_i − 1)·stride_i + 1) × itemsize, or 0. */
  readonly extentBytes: number;
  /** True when the tensor is C-contiguous (its bytes are one run of the storage). */
  readonly contiguous: boolean;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** torch caps tensor rank at 64 dimensions; a deeper "shape" is hostile. */
const MAX_RANK = 64;

/**
 * Checks a tensor's offset, sizes and strides against the storage it views, before any byte is
 * trusted: every value a non-negative integer, and
 * `(offset + Σ(size_i − 1)·stride_i + 1) × itemsize ≤ storageBytes` when numel > 0, computed with
 * BigInt so no product or sum can wrap (the CVE-2026-24747 class: torch < 2.10 trusted
 * pickled geometry and read past the storage). Throws LoadError('INVALID_STORAGE').
 */
export function checkTensorGeometry(
  name: string,
  shape: readonly (number | bigint)[],
  strides: readonly (number | bigint)[],
  storageOffset: number | bigint,
  itemsize: number,
  storageBytes: number,
): TensorGeometry {
  const bad = (why: string): LoadError =>
    new LoadError('INVALID_STORAGE', `tensor '${name}': ${why}`);
  if (shape.length !== strides.length) {
    throw bad(`${shape.length} sizes but ${strides.length} strides`);
  }
  if (shape.length > MAX_RANK) throw bad(`rank ${shape.length} exceeds ${MAX_RANK}`);
  const sizes = shape.map((s) => toBig(s));
  const steps = strides.map((s) => toBig(s));
  const offset = toBig(storageOffset);
  if (sizes.some((s) => s < 0n)) throw bad(`negative size in [${shape.join(', ')}]`);
  if (steps.some((s) => s < 0n)) throw bad(`negative stride in [${strides.join(', ')}]`);
  if (offset < 0n) throw bad(`negative storage offset ${storageOffset}`);
  let numel = 1n;
  for (const s of sizes) numel *= s;
  const item = BigInt(itemsize);
  if (numel * item > MAX_SAFE) throw bad(`${numel} elements is too large`);
  let extent = 0n;
  if (numel > 0n) {
    let last = offset;
    for (let i = 0; i < sizes.length; i++) last += ((sizes[i] ?? 0n) - 1n) * (steps[i] ?? 0n);
    extent = (last + 1n) * item;
    if (extent > BigInt(storageBytes)) {
      throw bad(
        `reaches byte ${extent} of a storage of ${storageBytes} bytes ` +
          `(offset ${offset}, sizes [${sizes.join(', ')}], strides [${steps.join(', ')}])`,
      );
    }
  }
  // Every value now fits a safe integer: each is at most the extent, itself ≤ storageBytes.
  if (offset > MAX_SAFE || steps.some((s) => s > MAX_SAFE)) {
    if (numel > 0n) throw bad('offset or stride is not a safe integer');
  }
  const outShape = sizes.map(Number);
  const outStrides = steps.map((s) => (s > MAX_SAFE ? 0 : Number(s)));
  return {
    shape: outShape,
    strides: outStrides,
    storageOffset: numel > 0n ? Number(offset) : 0,
    numel: Number(numel),
    nbytes: Number(numel * item),
    extentBytes: Number(extent),
    contiguous: isContiguous(outShape, outStrides),
  };
}

/** True when `strides` are the C-order strides of `shape` (size-1 dimensions may have any stride). */
export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  if (shape.includes(0)) return true;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i] ?? 0;
    if (size !== 1 && strides[i] !== expected) return false;
    expected *= size;
  }
  return true;
}

function toBig(v: number | bigint): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isSafeInteger(v)) throw new LoadError('INVALID_STORAGE', `non-integer value ${v}`);
  return BigInt(v);
}
