import { ByteReader, decodeLatin1, decodeUtf8 } from '../../core/byte-reader.js';
import type { ByteSource } from '../../core/byte-source.js';
import { checkLimit, FormatError } from '../../core/errors.js';
import { parsePyLiteral, type PyLiteral } from './python-literal.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy's default `max_header_size`: longer headers are refused before literal_eval runs. */
export const NPY_MAX_HEADER = 10_000;

/** A dtype as a .npy header describes it. */
export type NpyDtype =
  | {
      readonly kind: 'scalar';
      /** The typestr as written, e.g. '<f4', '|O', '<U2'. */
      readonly typestr: string;
      /** numpy kind letter: b i u f c m M O S U V. */
      readonly type: string;
      readonly itemSize: number;
    }
  | { readonly kind: 'struct'; readonly fields: readonly NpyField[]; readonly itemSize: number };

export interface NpyField {
  readonly name: string;
  readonly dtype: NpyDtype;
  /** Sub-array shape of the field ([] for a plain field). */
  readonly shape: readonly number[];
}

/** A parsed .npy header. Offsets and sizes are bytes. */
export interface NpyHeader {
  readonly version: readonly [number, number];
  /** Offset where the array data (or, for object dtypes, the pickle) starts. */
  readonly dataOffset: number;
  readonly descr: NpyDtype;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** True when the dtype holds Python objects anywhere: the data is then a pickle. */
  readonly hasObject: boolean;
  /** prod(shape) × itemsize for raw data; undefined for object dtypes (the pickle has no fixed size). */
  readonly dataBytes: number | undefined;
  /** Bytes after the raw data that np.load never reads (a polyglot tail); 0 for object dtypes. */
  readonly trailingBytes: number;
}

/** What the `numpy/*` rules judge: a parsed header and the size of its file. */
export interface NpyModel {
  readonly header: NpyHeader;
  readonly fileSize: number;
}

/**
 * Reads the header of the .npy file in `source` (at most 12 + 10,000 bytes) and checks that the
 * data it announces fits the file. Never reads the array data.
 * Throws BAD_MAGIC, UNSUPPORTED_VERSION (other than 1.0, 2.0, 3.0), TRUNCATED, LIMIT_EXCEEDED
 * (header over 10,000 bytes, sizes over 2^53), BAD_UTF8 (v3), BAD_STRUCTURE (not a literal dict
 * with exactly descr, fortran_order, shape), BAD_VALUE (unknown dtype, negative dimension).
 */
export async function readNpyHeader(source: ByteSource): Promise<NpyHeader> {
  const head = await source.read(0, 12 + NPY_MAX_HEADER);
  return parseNpyHeader(head, source.size);
}

/** As readNpyHeader, over the first bytes of a file of `fileSize` bytes. */
export function parseNpyHeader(head: Uint8Array, fileSize = head.byteLength): NpyHeader {
  const r = new ByteReader(head);
  for (const m of MAGIC) {
    if (r.atEnd()) throw new FormatError('TRUNCATED', 'magic cut off', r.offset);
    if (r.u8() !== m) throw new FormatError('BAD_MAGIC', 'not a .npy file', 0);
  }
  const major = r.u8();
  const minor = r.u8();
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    throw new FormatError('UNSUPPORTED_VERSION', `.npy version ${major}.${minor}`, 6);
  }
  const length = major === 1 ? r.u16(true) : r.u32(true);
  checkLimit(
    length,
    NPY_MAX_HEADER,
    'npy header bytes',
    8,
    () => `header of ${length} bytes exceeds ${NPY_MAX_HEADER}`,
  );
  const at = r.offset;
  const bytes = r.bytesOf(length);
  // v1/v2 headers are latin-1, v3 UTF-8 (numpy.lib.format).
  const text = major === 3 ? decodeUtf8(bytes, at) : decodeLatin1(bytes);
  const dict = parsePyLiteral(text, at);
  if (dict.kind !== 'dict') throw new FormatError('BAD_STRUCTURE', 'header is not a dict', at);
  const keys = [...dict.entries.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw new FormatError('BAD_STRUCTURE', `header keys ${keys.join(',')}`, at);
  }
  const entry = (key: string): PyLiteral => {
    const v = dict.entries.get(key);
    if (v === undefined) throw new FormatError('BAD_STRUCTURE', `header lacks ${key}`, at);
    return v;
  };
  const descr = dtypeOf(entry('descr'), 0);
  const fortran = entry('fortran_order');
  if (fortran.kind !== 'bool')
    throw new FormatError('BAD_STRUCTURE', 'fortran_order is not a bool', fortran.at);
  const shapeLit = entry('shape');
  if (shapeLit.kind !== 'tuple')
    throw new FormatError('BAD_STRUCTURE', 'shape is not a tuple', shapeLit.at);
  const shape = shapeLit.items.map(dimensionOf);
  const dataOffset = at + length;
  const hasObject = containsObject(descr);
  let dataBytes: number | undefined;
  let trailingBytes = 0;
  if (!hasObject) {
    const n = shape.reduce((acc, d) => acc * BigInt(d), 1n) * BigInt(descr.itemSize);
    checkLimit(n, Number.MAX_SAFE_INTEGER, 'array bytes', shapeLit.at, () => `array of ${n} bytes`);
    dataBytes = Number(n);
    if (dataOffset + dataBytes > fileSize) {
      throw new FormatError(
        'TRUNCATED',
        `array needs ${dataBytes} bytes, ${Math.max(0, fileSize - dataOffset)} follow the header`,
        dataOffset,
      );
    }
    trailingBytes = fileSize - dataOffset - dataBytes;
  }
  return {
    version: [major, minor],
    dataOffset,
    descr,
    fortranOrder: fortran.value,
    shape,
    hasObject,
    dataBytes,
    trailingBytes,
  };
}

/** True when `d` or any field of it is an object dtype. */
export function containsObject(d: NpyDtype): boolean {
  if (d.kind === 'scalar') return d.type === 'O';
  return d.fields.some((f) => containsObject(f.dtype));
}

// Array-protocol typestr as numpy writes it (dtype.str): byte order, kind, size, datetime unit.
const TYPESTR = /^([<>|=]?)([biufcmMOSUVa])(\d{0,12})(\[\w{1,10}\])?$/;
const FIXED_SIZES: ReadonlyMap<string, readonly number[]> = new Map([
  ['b', [1]],
  ['i', [1, 2, 4, 8]],
  ['u', [1, 2, 4, 8]],
  ['f', [2, 4, 8, 12, 16]],
  ['c', [8, 16, 24, 32]],
  ['m', [8]],
  ['M', [8]],
  ['O', [8]],
]);
const MAX_ITEM = 2 ** 31;

function dtypeOf(v: PyLiteral, depth: number): NpyDtype {
  if (v.kind === 'str') return scalarOf(v.value, v.at);
  if (v.kind !== 'list')
    throw new FormatError('BAD_STRUCTURE', 'descr is neither a str nor a list', v.at);
  const fields: NpyField[] = [];
  let itemSize = 0;
  const names = new Set<string>();
  for (const f of v.items) {
    if (f.kind !== 'tuple' || f.items.length < 2 || f.items.length > 3) {
      throw new FormatError('BAD_STRUCTURE', 'field is not (name, format[, shape])', f.at);
    }
    const [nameLit, formatLit, shapeLit] = f.items;
    if (nameLit === undefined || formatLit === undefined) {
      throw new FormatError('BAD_STRUCTURE', 'field is not (name, format[, shape])', f.at);
    }
    const name = fieldName(nameLit);
    // numpy rejects repeated names except the '' of padding fields (renamed f0, f1 …).
    if (name !== '' && names.has(name))
      throw new FormatError('BAD_STRUCTURE', `field ${name} repeated`, f.at);
    names.add(name);
    const dtype = dtypeOf(formatLit, depth + 1);
    let shape: number[] = [];
    if (shapeLit !== undefined) {
      shape = shapeLit.kind === 'tuple' ? shapeLit.items.map(dimensionOf) : [dimensionOf(shapeLit)];
    }
    const count = shape.reduce((a, d) => a * d, 1);
    itemSize += dtype.itemSize * count;
    checkLimit(itemSize, MAX_ITEM, 'item bytes', f.at, 'structured item too large');
    fields.push({ name, dtype, shape });
  }
  return { kind: 'struct', fields, itemSize };
}

function fieldName(v: PyLiteral): string {
  if (v.kind === 'str') return v.value;
  // (title, name) pairs.
  if (v.kind === 'tuple' && v.items.length === 2 && v.items[1]?.kind === 'str')
    return v.items[1].value;
  throw new FormatError('BAD_STRUCTURE', 'field name is not a str or (title, name)', v.at);
}

function scalarOf(typestr: string, at: number): NpyDtype {
  const m = TYPESTR.exec(typestr);
  if (m === null)
    throw new FormatError('BAD_VALUE', `unsupported descr ${JSON.stringify(typestr)}`, at);
  const type = m[2] === 'a' ? 'S' : (m[2] ?? '');
  const digits = m[3] ?? '';
  const unit = m[4];
  if (unit !== undefined && type !== 'm' && type !== 'M') {
    throw new FormatError('BAD_VALUE', `unit on a non-datetime descr ${typestr}`, at);
  }
  let itemSize: number;
  const fixed = FIXED_SIZES.get(type);
  if (fixed !== undefined) {
    itemSize = digits === '' && type === 'O' ? 8 : Number(digits);
    if (!fixed.includes(itemSize))
      throw new FormatError('BAD_VALUE', `unsupported descr ${typestr}`, at);
  } else {
    const n = digits === '' ? 0 : Number(digits);
    itemSize = type === 'U' ? n * 4 : n;
  }
  checkLimit(itemSize, MAX_ITEM, 'item bytes', at, () => `item of ${itemSize} bytes`);
  return { kind: 'scalar', typestr, type, itemSize };
}

function dimensionOf(v: PyLiteral): number {
  if (v.kind !== 'int') throw new FormatError('BAD_STRUCTURE', 'dimension is not an int', v.at);
  if (v.value < 0n) throw new FormatError('BAD_VALUE', `negative dimension ${v.value}`, v.at);
  const dimension = v.value;
  checkLimit(dimension, Number.MAX_SAFE_INTEGER, 'dimension', v.at, () => `dimension ${dimension}`);
  return Number(v.value);
}
