/**
 * `xs[i]` for an index the caller has already bounded; throws a RangeError instead of letting
 * `undefined` through, so index arithmetic mistakes surface where they happen.
 */
export function itemAt<T>(xs: ArrayLike<T>, i: number): T {
  if (i < 0 || i >= xs.length || !Number.isInteger(i)) {
    throw new RangeError(`index ${i} outside 0..${xs.length - 1}`);
  }
  return xs[i] as T;
}
