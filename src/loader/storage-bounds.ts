import { checkTensorGeometry as check, type TensorGeometry } from '../core/tensor-geometry.js';
import { LoadError } from './errors.js';

export type { TensorGeometry } from '../core/tensor-geometry.js';
export { isContiguous } from '../core/tensor-geometry.js';

/**
 * The loader's side of the one bounds check (src/core/tensor-geometry.ts, which the scanner's
 * pickle/tensor-out-of-bounds rule runs too): the geometry of tensor `name`, or
 * LoadError('INVALID_STORAGE') when it does not fit `storageBytes`.
 */
export function checkTensorGeometry(
  name: string,
  shape: readonly (number | bigint)[],
  strides: readonly (number | bigint)[],
  storageOffset: number | bigint,
  itemsize: number,
  storageBytes: number,
): TensorGeometry {
  const result = check(shape, strides, storageOffset, itemsize, storageBytes);
  if (!result.ok) throw new LoadError('INVALID_STORAGE', `tensor '${name}': ${result.reason}`);
  return result.geometry;
}
