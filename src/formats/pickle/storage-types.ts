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

/** Bytes per element of torch dtypes (`torch.float32` …) that `_rebuild_tensor_v3` may name. */
const DTYPE_SIZES: Readonly<Record<string, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
  complex128: 16,
  complex64: 8,
  complex32: 4,
  qint8: 1,
  quint8: 1,
  qint32: 4,
  quint4x2: 1,
  quint2x4: 1,
  float8_e5m2: 1,
  float8_e4m3fn: 1,
  float8_e5m2fnuz: 1,
  float8_e4m3fnuz: 1,
  float8_e8m0fnu: 1,
  float4_e2m1fn_x2: 1,
  bits8: 1,
  bits16: 2,
  bits1x8: 1,
  bits2x4: 1,
  bits4x2: 1,
  // torch stores the sub-byte integer dtypes one element per byte (their itemsize is 1).
  uint1: 1,
  uint2: 1,
  uint3: 1,
  uint4: 1,
  uint5: 1,
  uint6: 1,
  uint7: 1,
  int1: 1,
  int2: 1,
  int3: 1,
  int4: 1,
  int5: 1,
  int6: 1,
  int7: 1,
};

/** Element size in bytes of the torch dtype global `module.name`, or undefined if it is not one. */
export function dtypeElementSize(module: string, name: string): number | undefined {
  return module === 'torch' && Object.hasOwn(DTYPE_SIZES, name) ? DTYPE_SIZES[name] : undefined;
}
