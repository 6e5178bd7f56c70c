/**
 * Element types of the tensors a checkpoint can hold, and how each maps to safetensors.
 * Sources: torch's `_dtype_to_storage_type_map()` and `_new_dtypes()` (storage class and dtype
 * names), numpy's array-protocol type strings, and the safetensors dtype list (model-formats §7).
 */
export interface Dtype {
  /** torch's name without the `torch.` prefix ('float32', 'bfloat16', 'complex128'). */
  readonly name: string;
  /** Bytes per element. */
  readonly itemsize: number;
  /**
   * The safetensors dtype, or undefined when safetensors has none (complex128, complex32,
   * quantized and sub-byte types): converting such a tensor is refused.
   */
  readonly safetensors: string | undefined;
  /** Width of the unit that byte-swapping reverses (complex numbers swap each half). */
  readonly swapUnit: number;
}

function dt(name: string, itemsize: number, safetensors?: string, swapUnit = itemsize): Dtype {
  return Object.freeze({ name, itemsize, safetensors, swapUnit });
}

/** Every dtype the loader understands, by torch name. */
export const DTYPES: ReadonlyMap<string, Dtype> = new Map(
  [
    dt('float64', 8, 'F64'),
    dt('float32', 4, 'F32'),
    dt('float16', 2, 'F16'),
    dt('bfloat16', 2, 'BF16'),
    dt('int64', 8, 'I64'),
    dt('int32', 4, 'I32'),
    dt('int16', 2, 'I16'),
    dt('int8', 1, 'I8'),
    dt('uint8', 1, 'U8'),
    dt('uint16', 2, 'U16'),
    dt('uint32', 4, 'U32'),
    dt('uint64', 8, 'U64'),
    dt('bool', 1, 'BOOL'),
    dt('complex64', 8, 'C64', 4),
    dt('float8_e5m2', 1, 'F8_E5M2'),
    dt('float8_e4m3fn', 1, 'F8_E4M3'),
    dt('float8_e5m2fnuz', 1, 'F8_E5M2FNUZ'),
    dt('float8_e4m3fnuz', 1, 'F8_E4M3FNUZ'),
    dt('float8_e8m0fnu', 1, 'F8_E8M0'),
    // No safetensors dtype: readable (inspect shows them) but never converted.
    dt('complex128', 16, undefined, 8),
    dt('complex32', 4, undefined, 2),
    dt('qint8', 1),
    dt('quint8', 1),
    dt('qint32', 4),
    dt('quint4x2', 1),
    dt('quint2x4', 1),
  ].map((d) => [d.name, d]),
);

/** Legacy typed storage class names (`torch.FloatStorage`, pickled by torch.save) → dtype name. */
const STORAGE_CLASSES: ReadonlyMap<string, string> = new Map([
  ['DoubleStorage', 'float64'],
  ['FloatStorage', 'float32'],
  ['HalfStorage', 'float16'],
  ['BFloat16Storage', 'bfloat16'],
  ['LongStorage', 'int64'],
  ['IntStorage', 'int32'],
  ['ShortStorage', 'int16'],
  ['CharStorage', 'int8'],
  ['ByteStorage', 'uint8'],
  ['BoolStorage', 'bool'],
  ['ComplexFloatStorage', 'complex64'],
  ['ComplexDoubleStorage', 'complex128'],
  ['QInt8Storage', 'qint8'],
  ['QUInt8Storage', 'quint8'],
  ['QInt32Storage', 'qint32'],
  ['QUInt4x2Storage', 'quint4x2'],
  ['QUInt2x4Storage', 'quint2x4'],
  // An untyped storage counts bytes; _rebuild_tensor_v3 then names the element dtype.
  ['UntypedStorage', 'uint8'],
]);

/**
 * The dtype of a pickled storage global (`torch.FloatStorage`, `torch.cuda.HalfStorage`,
 * `torch.storage.UntypedStorage`), or undefined when the global names no known storage class.
 */
export function dtypeOfStorageGlobal(module: string, name: string): Dtype | undefined {
  if (module !== 'torch' && module !== 'torch.cuda' && module !== 'torch.storage') return undefined;
  const dtypeName = STORAGE_CLASSES.get(name);
  return dtypeName === undefined ? undefined : DTYPES.get(dtypeName);
}

/** The dtype named by a pickled dtype global (`torch.float8_e4m3fn`), or undefined. */
export function dtypeOfDtypeGlobal(module: string, name: string): Dtype | undefined {
  return module === 'torch' ? DTYPES.get(name) : undefined;
}

/** A dtype parsed from a numpy type string ('<f4', '|b1', '>i8'). */
export interface NumpyDtype {
  readonly dtype: Dtype;
  /** True when the data is big-endian ('>'): the loader byte-swaps it. */
  readonly bigEndian: boolean;
}

const NUMPY_KINDS: ReadonlyMap<string, string> = new Map([
  ['f8', 'float64'],
  ['f4', 'float32'],
  ['f2', 'float16'],
  ['i8', 'int64'],
  ['i4', 'int32'],
  ['i2', 'int16'],
  ['i1', 'int8'],
  ['u1', 'uint8'],
  ['u2', 'uint16'],
  ['u4', 'uint32'],
  ['u8', 'uint64'],
  ['b1', 'bool'],
  ['c8', 'complex64'],
  ['c16', 'complex128'],
]);

/**
 * Maps a numpy array-protocol type string to a dtype. '<' is little-endian, '>' big-endian and
 * '|' means byte order does not apply (one-byte types). '=' (native) is refused: the writer's
 * byte order is unknown. Returns undefined for anything else (objects, structured, strings).
 */
export function dtypeOfNumpyDescr(descr: string): NumpyDtype | undefined {
  const order = descr.charAt(0);
  const dtypeName = NUMPY_KINDS.get(descr.slice(1));
  if (dtypeName === undefined) return undefined;
  const dtype = DTYPES.get(dtypeName);
  if (dtype === undefined) return undefined;
  if (order === '<') return { dtype, bigEndian: false };
  if (order === '>') return { dtype, bigEndian: dtype.itemsize > 1 };
  if (order === '|' && dtype.itemsize === 1) return { dtype, bigEndian: false };
  return undefined;
}

/** safetensors dtype name → dtype, for reading safetensors inputs. */
export function dtypeOfSafetensors(name: string): Dtype | undefined {
  for (const d of DTYPES.values()) if (d.safetensors === name) return d;
  return undefined;
}
