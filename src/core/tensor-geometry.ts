// One bounds check for a tensor's view of its storage, shared by the scanner (rule
// pickle/tensor-out-of-bounds) and the loader (src/loader/storage-bounds.ts), so that what the
// scanner calls safe is exactly what the loader accepts. It lives in core because rules may not
// import the loader, which sits above the engine.

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

/** The check's answer: the geometry, or why the tensor does not fit its storage. */
export type GeometryCheck =
  | { readonly ok: true; readonly geometry: TensorGeometry }
  | { readonly ok: false; readonly reason: string };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** torch caps tensor rank at 64 dimensions; a deeper "shape" is hostile. */
export const MAX_TENSOR_RANK = 64;

/**
 * Checks a tensor's offset, sizes and strides against the storage it views, before any byte is
 * trusted: every value a non-negative integer, numel × itemsize a safe integer, and
 * `(offset + Σ(size_i − 1)·stride_i + 1) × itemsize ≤ storageBytes` when numel > 0, computed with
 * BigInt so no product or sum can wrap (the CVE-2026-24747 class: torch < 2.10 trusted pickled
 * geometry and read past the storage; torch 2.13's `set_` refuses all of these).
 */
export function checkTensorGeometry(
  shape: readonly (number | bigint)[],
  strides: readonly (number | bigint)[],
  storageOffset: number | bigint,
  itemsize: number,
  storageBytes: number | bigint,
): GeometryCheck {
  const bad = (reason: string): GeometryCheck => ({ ok: false, reason });
  if (shape.length !== strides.length) {
    return bad(`${shape.length} sizes but ${strides.length} strides`);
  }
  if (shape.length > MAX_TENSOR_RANK) {
    return bad(`rank ${shape.length} exceeds ${MAX_TENSOR_RANK}`);
  }
  const all = [...shape, ...strides, storageOffset];
  const odd = all.find((v) => typeof v === 'number' && !Number.isSafeInteger(v));
  if (odd !== undefined) return bad(`non-integer value ${odd}`);
  const sizes = shape.map((s) => BigInt(s));
  const steps = strides.map((s) => BigInt(s));
  const offset = BigInt(storageOffset);
  if (sizes.some((s) => s < 0n)) return bad(`negative size in [${shape.join(', ')}]`);
  if (steps.some((s) => s < 0n)) return bad(`negative stride in [${strides.join(', ')}]`);
  if (offset < 0n) return bad(`negative storage offset ${storageOffset}`);
  let numel = 1n;
  for (const s of sizes) numel *= s;
  const item = BigInt(itemsize);
  if (numel * item > MAX_SAFE) return bad(`${numel} elements is too large`);
  let extent = 0n;
  if (numel > 0n) {
    let last = offset;
    for (let i = 0; i < sizes.length; i++) last += ((sizes[i] ?? 0n) - 1n) * (steps[i] ?? 0n);
    extent = (last + 1n) * item;
    if (extent > BigInt(storageBytes)) {
      return bad(
        `reaches byte ${extent} of a storage of ${storageBytes} bytes ` +
          `(offset ${offset}, sizes [${sizes.join(', ')}], strides [${steps.join(', ')}])`,
      );
    }
  }
  // Every value now fits a safe integer: each is at most the extent, itself ≤ storageBytes.
  if (offset > MAX_SAFE || steps.some((s) => s > MAX_SAFE)) {
    if (numel > 0n) return bad('offset or stride is not a safe integer');
  }
  const outShape = sizes.map(Number);
  const outStrides = steps.map((s) => (s > MAX_SAFE ? 0 : Number(s)));
  return {
    ok: true,
    geometry: {
      shape: outShape,
      strides: outStrides,
      storageOffset: numel > 0n ? Number(offset) : 0,
      numel: Number(numel),
      nbytes: Number(numel * item),
      extentBytes: Number(extent),
      contiguous: isContiguous(outShape, outStrides),
    },
  };
}

/**
 * Why a storage record of `recordBytes` does not hold exactly `numel` elements of `itemsize` bytes
 * (what its persistent id declares); undefined when it does. torch 2.13 refuses any mismatch
 * ("record size … does not match expected size"), larger or smaller, and so does the loader.
 */
export function checkStorageRecord(
  numel: number | bigint,
  itemsize: number,
  recordBytes: number,
): string | undefined {
  const need = BigInt(numel) * BigInt(itemsize);
  if (need < 0n || need > MAX_SAFE) return `${numel} elements of ${itemsize} bytes is too large`;
  if (BigInt(recordBytes) !== need) {
    return `holds ${recordBytes} bytes; ${numel} elements of ${itemsize} bytes need ${need}`;
  }
  return undefined;
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
