import { ByteReader } from '../../core/byte-reader.js';
import type { ByteSource } from '../../core/byte-source.js';
import { FormatError, checkLimit, toFormatError } from '../../core/errors.js';
import type { Span } from '../../core/finding.js';
import type { Limits } from '../../core/limits.js';
import { GGML_TYPE_SIZES } from './ggml-types.js';

/** GGUF metadata value types (ggml `docs/gguf.md`, enum gguf_metadata_value_type). */
export const GGUF_VALUE_TYPES = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'bool',
  'string',
  'array',
  'uint64',
  'int64',
  'float64',
] as const;
export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];

/** An array value: only its element type and length are kept (vocabularies hold 100k+ strings). */
export interface GgufArray {
  readonly elementType: GgufValueType;
  readonly length: number;
}

export type GgufValue = number | bigint | boolean | string | GgufArray;

export interface GgufMetadataEntry {
  readonly key: string;
  readonly type: GgufValueType;
  readonly value: GgufValue;
  /** Bytes of the whole key/value pair. */
  readonly span: Span;
  /** Bytes of the value (for a string: its UTF-8 bytes, without the length prefix). */
  readonly valueSpan: Span;
}

export interface GgufTensorInfo {
  readonly name: string;
  readonly dims: readonly bigint[];
  readonly ggmlType: number;
  /** Offset relative to the start of the tensor data section. */
  readonly offset: bigint;
  /** Byte size when the ggml type is known, else undefined. */
  readonly byteSize: bigint | undefined;
  readonly span: Span;
}

/** The decoded GGUF header: everything before the tensor data. */
export interface GgufHeader {
  readonly version: number;
  readonly metadata: readonly GgufMetadataEntry[];
  readonly tensors: readonly GgufTensorInfo[];
  readonly alignment: number;
  /** Absolute offset of the tensor data section (header end rounded up to `alignment`). */
  readonly dataOffset: number;
  readonly fileSize: number;
}

const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
// ggml GGML_MAX_DIMS: a tensor with more dimensions is rejected by the loader.
const MAX_DIMS = 4;
// gguf.md: arrays may nest; real files never go past one level. A deeper nest is a depth bomb.
const MAX_ARRAY_DEPTH = 8;
const DEFAULT_ALIGNMENT = 32;
// Smallest encoded size of one element of each type, used to prove an array's length fits the
// remaining bytes before looping over it (a huge count must not make us spin).
const MIN_SIZE: Readonly<Record<GgufValueType, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  string: 8,
  array: 12,
  uint64: 8,
  int64: 8,
  float64: 8,
};

/**
 * Decodes a GGUF v2/v3 header from `bytes`, the first bytes of a file of `fileSize` bytes.
 * Checks counts against `limits.maxEntries`, every length against the bytes present, the
 * alignment, and that each tensor's data lies inside the file without overlapping another.
 * Throws FormatError: BAD_MAGIC, UNSUPPORTED_VERSION (v1 or unknown), TRUNCATED (the header runs
 * past `bytes`), BAD_UTF8, BAD_VALUE, BAD_STRUCTURE, LIMIT_EXCEEDED.
 */
export function parseGgufHeader(bytes: Uint8Array, fileSize: number, limits: Limits): GgufHeader {
  const r = new ByteReader(bytes);
  if (bytes.byteLength < 4 || !MAGIC.every((v, i) => bytes[i] === v)) {
    throw new FormatError('BAD_MAGIC', 'not a GGUF file', 0);
  }
  r.skip(4);
  const version = r.u32(true);
  // v1 used u32 counts and lengths; llama.cpp dropped it. Versions above 3 do not exist yet.
  if (version !== 2 && version !== 3) {
    throw new FormatError('UNSUPPORTED_VERSION', `GGUF version ${version}`, 4);
  }
  const tensorCount = readCount(r, limits, 'tensor count');
  const kvCount = readCount(r, limits, 'metadata count');
  const metadata: GgufMetadataEntry[] = [];
  const keys = new Set<string>();
  for (let i = 0; i < kvCount; i++) {
    const start = r.offset;
    const key = readString(r);
    // gguf.c refuses duplicate keys; two readers could otherwise pick different values.
    if (keys.has(key)) throw new FormatError('BAD_STRUCTURE', `duplicate key ${key}`, start);
    keys.add(key);
    const type = readType(r);
    const valueStart = r.offset;
    const value = readValue(r, type, 0);
    const valueSpan =
      type === 'string'
        ? { start: valueStart + 8, end: r.offset }
        : { start: valueStart, end: r.offset };
    metadata.push({ key, type, value, span: { start, end: r.offset }, valueSpan });
  }
  let alignment = DEFAULT_ALIGNMENT;
  const alignEntry = metadata.find((e) => e.key === 'general.alignment');
  if (alignEntry !== undefined) {
    // gguf.md: general.alignment is a uint32, a non-zero power of two (gguf.c checks this).
    const v = alignEntry.value;
    if (alignEntry.type !== 'uint32' || typeof v !== 'number' || v === 0 || (v & (v - 1)) !== 0) {
      throw new FormatError(
        'BAD_VALUE',
        'general.alignment must be a power-of-two uint32',
        alignEntry.valueSpan.start,
      );
    }
    alignment = v;
  }
  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const start = r.offset;
    const name = readString(r);
    if (names.has(name)) throw new FormatError('BAD_STRUCTURE', `duplicate tensor ${name}`, start);
    names.add(name);
    const nDims = r.u32(true);
    if (nDims > MAX_DIMS) throw new FormatError('BAD_VALUE', `${nDims} dimensions`, r.offset - 4);
    const dims: bigint[] = [];
    for (let d = 0; d < nDims; d++) dims.push(r.u64(true));
    const ggmlType = r.u32(true);
    const offsetAt = r.offset;
    const offset = r.u64(true);
    if (offset % BigInt(alignment) !== 0n) {
      throw new FormatError('BAD_VALUE', `tensor ${name} offset is not aligned`, offsetAt);
    }
    tensors.push({
      name,
      dims,
      ggmlType,
      offset,
      byteSize: tensorBytes(dims, ggmlType, offsetAt),
      span: { start, end: r.offset },
    });
  }
  const headerEnd = r.offset;
  const dataOffset = Math.ceil(headerEnd / alignment) * alignment;
  checkTensorExtents(tensors, dataOffset, fileSize);
  return { version, metadata, tensors, alignment, dataOffset, fileSize };
}

/**
 * Reads and decodes the GGUF header of `source`, fetching only the header bytes: it starts with
 * 1 MiB and doubles while the header runs past what was read, up to `limits.maxHeaderBytes`.
 * Throws FormatError as `parseGgufHeader`, and LIMIT_EXCEEDED when the header is larger than
 * `maxHeaderBytes`.
 */
export async function readGgufHeader(source: ByteSource, limits: Limits): Promise<GgufHeader> {
  let want = Math.min(source.size, limits.maxHeaderBytes, 1 << 20);
  for (;;) {
    const bytes = await source.read(0, want);
    try {
      return parseGgufHeader(bytes, source.size, limits);
    } catch (error) {
      const atEnd = bytes.byteLength >= source.size;
      if (!(error instanceof FormatError) || error.code !== 'TRUNCATED' || atEnd) {
        throw toFormatError(error, 'BAD_STRUCTURE', 0);
      }
      // The header did not fit in `want` bytes: it needs at least one more.
      checkLimit(
        want + 1,
        limits.maxHeaderBytes,
        'maxHeaderBytes',
        error.offset,
        () => `GGUF header exceeds ${limits.maxHeaderBytes} bytes`,
      );
      want = Math.min(source.size, limits.maxHeaderBytes, want * 2);
    }
  }
}

function readCount(r: ByteReader, limits: Limits, what: string): number {
  const at = r.offset;
  const n = r.u64Safe(true);
  checkLimit(n, limits.maxEntries, what, at);
  return n;
}

function readString(r: ByteReader): string {
  const n = r.u64Safe(true);
  return r.utf8(n); // utf8 proves the n bytes exist before slicing
}

function readType(r: ByteReader): GgufValueType {
  const at = r.offset;
  const t = r.u32(true);
  const type = GGUF_VALUE_TYPES[t];
  if (type === undefined) throw new FormatError('BAD_VALUE', `value type ${t}`, at);
  return type;
}

function readValue(r: ByteReader, type: GgufValueType, depth: number): GgufValue {
  switch (type) {
    case 'uint8':
      return r.u8();
    case 'int8':
      return (r.u8() << 24) >> 24;
    case 'uint16':
      return r.u16(true);
    case 'int16':
      return (r.u16(true) << 16) >> 16;
    case 'uint32':
      return r.u32(true);
    case 'int32':
      return r.i32(true);
    case 'float32':
      return r.f32(true);
    case 'bool': {
      const at = r.offset;
      const b = r.u8();
      if (b > 1) throw new FormatError('BAD_VALUE', `bool ${b}`, at);
      return b === 1;
    }
    case 'string':
      return readString(r);
    case 'uint64':
      return r.u64(true);
    case 'int64':
      return r.i64(true);
    case 'float64':
      return r.f64(true);
    case 'array': {
      checkLimit(depth + 1, MAX_ARRAY_DEPTH, 'array depth', r.offset, 'arrays nested too deep');
      const elementType = readType(r);
      const at = r.offset;
      const length = r.u64Safe(true);
      // Every element takes at least MIN_SIZE bytes: prove they can exist before looping.
      if (length > r.remaining / MIN_SIZE[elementType]) {
        throw new FormatError(
          'TRUNCATED',
          `array of ${length} ${elementType} runs past the data`,
          at,
        );
      }
      for (let i = 0; i < length; i++) readValue(r, elementType, depth + 1);
      return { elementType, length };
    }
  }
}

function tensorBytes(dims: readonly bigint[], ggmlType: number, at: number): bigint | undefined {
  const traits = GGML_TYPE_SIZES.get(ggmlType);
  let elements = 1n;
  for (const d of dims) elements *= d;
  if (traits === undefined) {
    // ggml's loader refuses the whole file (an invalid or removed ggml type): never safe.
    throw new FormatError(
      'UNSUPPORTED_FEATURE',
      `tensor type ${ggmlType} is not a ggml type (ggml refuses to load the file)`,
      at - 4,
    );
  }
  const first = dims[0] ?? 1n;
  // ggml stores rows of whole blocks: the first dimension must be a multiple of the block size.
  if (first % BigInt(traits.blockSize) !== 0n) {
    throw new FormatError(
      'BAD_VALUE',
      `row of ${first} is not a multiple of ${traits.blockSize}`,
      at,
    );
  }
  return (elements / BigInt(traits.blockSize)) * BigInt(traits.blockBytes);
}

function checkTensorExtents(
  tensors: readonly GgufTensorInfo[],
  dataOffset: number,
  fileSize: number,
): void {
  const dataSize = BigInt(Math.max(0, fileSize - dataOffset));
  const sorted = [...tensors].sort((a, b) =>
    a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0,
  );
  let prevEnd = 0n;
  for (const t of sorted) {
    const size = t.byteSize ?? 0n;
    // A tensor past the end makes the loader read out of bounds (or map beyond the file).
    if (
      t.offset + size > dataSize ||
      (t.byteSize === undefined && t.offset >= dataSize && dataSize > 0n)
    ) {
      throw new FormatError(
        'BAD_LENGTH',
        `tensor ${t.name} data lies outside the file`,
        t.span.start,
      );
    }
    // Overlapping tensors alias each other's bytes; llama.cpp lays them out back to back.
    if (t.offset < prevEnd) {
      throw new FormatError(
        'BAD_STRUCTURE',
        `tensor ${t.name} overlaps the previous tensor`,
        t.span.start,
      );
    }
    prevEnd = t.offset + size;
  }
}
