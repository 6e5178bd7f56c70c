/**
 * Element sizes of torch's legacy storage classes (`torch.<X>Storage`, `torch.cuda.<X>Storage`)
 * and of `torch.storage.UntypedStorage` (bytes). A persistent id's `numel` times this size is the
 * storage's byte length (reference §3.3).
 */
const BASE_SIZES: Readonly<Record<string, number>> = {
  DoubleStorage: 8,
  FloatStorage: 4,
  HalfStorage: 2,
  BFloat16Storage: 2,
  LongStorage: 8,
  IntStorage: 4,
  ShortStorage: 2,
  CharStorage: 1,
  ByteStorage: 1,
  BoolStorage: 1,
  ComplexFloatStorage: 8,
  ComplexDoubleStorage: 16,
  QUInt8Storage: 1,
  QInt8Storage: 1,
  QInt32Storage: 4,
  QUInt4x2Storage: 1,
  QUInt2x4Storage: 1,
};

/** Element size in bytes of the storage class `module.name`, or undefined if it is not one. */
export function storageElementSize(module: string, name: string): number | undefined {
  if (module === 'torch.storage' && name === 'UntypedStorage') return 1;
  if (module === 'torch' || module === 'torch.cuda') {
    return Object.hasOwn(BASE_SIZES, name) ? BASE_SIZES[name] : undefined;
  }
  return undefined;
}
