import { decodeUtf8 } from '../../core/byte-reader.js';
import type { ByteSource } from '../../core/byte-source.js';
import { checkLimit, FormatError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { parseStrictJson, type JsonValue } from '../json/strict-json.js';

/** The safetensors crate's own cap (`MAX_HEADER_SIZE`, attack attempt 2). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** Bits per element of every dtype the safetensors crate knows (reference §7). */
export const SAFETENSORS_DTYPE_BITS: ReadonlyMap<string, number> = new Map([
  ['BOOL', 8],
  ['U8', 8],
  ['I8', 8],
  ['F8_E5M2', 8],
  ['F8_E4M3', 8],
  ['F8_E8M0', 8],
  ['F8_E4M3FNUZ', 8],
  ['F8_E5M2FNUZ', 8],
  ['I16', 16],
  ['U16', 16],
  ['F16', 16],
  ['BF16', 16],
  ['I32', 32],
  ['U32', 32],
  ['F32', 32],
  ['C64', 64],
  ['F64', 64],
  ['I64', 64],
  ['U64', 64],
  ['F4', 4],
  ['F6_E2M3', 6],
  ['F6_E3M2', 6],
]);

/** One tensor of a validated header. Offsets are bytes. */
export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** `[start, end)` relative to the start of the data section. */
  readonly dataOffsets: readonly [number, number];
  /** Absolute offset of the first byte in the file (8 + header length + start). */
  readonly fileOffset: number;
  readonly byteLength: number;
}

/** A header that passed every check of the safetensors crate, plus duplicate-key rejection. */
export interface SafetensorsHeader {
  /** The u64 header length N; the data section starts at 8 + N. */
  readonly headerLength: number;
  readonly dataStart: number;
  readonly metadata: ReadonlyMap<string, string> | undefined;
  /** Tensors sorted by data offset (the order the data is laid out in). */
  readonly tensors: readonly SafetensorsTensor[];
}

const U64_MAX = (1n << 64n) - 1n;

/**
 * Reads and validates the header of a safetensors file from `source`, reading 8 bytes and then
 * the header only (never the tensor data), so the cost does not depend on the weights' size.
 * Throws FormatError: TRUNCATED (HeaderTooSmall), LIMIT_EXCEEDED (HeaderTooLarge, maxEntries),
 * BAD_LENGTH (InvalidHeaderLength, TensorInvalidInfo, MisalignedSlice, ValidationOverflow,
 * MetadataIncompleteBuffer), BAD_UTF8, BAD_JSON, BAD_STRUCTURE (shape of the JSON, duplicate keys,
 * InvalidOffset), BAD_VALUE (unknown dtype, negative or fractional numbers).
 */
export async function readSafetensorsHeader(
  source: ByteSource,
  limits: Limits,
): Promise<SafetensorsHeader> {
  const prefix = await source.read(0, 8);
  const n = checkPrefix(prefix, source.size, limits);
  const header = await source.read(8, n);
  return validateHeader(header, n, source.size, limits);
}

/**
 * Validates a whole safetensors file held in memory (`bytes` may also be only the first
 * 8 + N bytes of a file of `fileSize` bytes). Throws as readSafetensorsHeader.
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  limits: Limits,
  fileSize = bytes.byteLength,
): SafetensorsHeader {
  const n = checkPrefix(bytes.subarray(0, 8), fileSize, limits);
  if (bytes.byteLength < 8 + n) {
    throw new FormatError('TRUNCATED', 'header bytes missing', bytes.byteLength);
  }
  return validateHeader(bytes.subarray(8, 8 + n), n, fileSize, limits);
}

function checkPrefix(prefix: Uint8Array, fileSize: number, limits: Limits): number {
  if (prefix.byteLength < 8 || fileSize < 8) {
    throw new FormatError('TRUNCATED', 'HeaderTooSmall: fewer than 8 bytes', 0);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  const cap = Math.min(SAFETENSORS_MAX_HEADER, limits.maxHeaderBytes);
  checkLimit(n, cap, 'maxHeaderBytes', 0, () => `HeaderTooLarge: ${n} bytes (limit ${cap})`);
  if (8n + n > BigInt(fileSize)) {
    throw new FormatError(
      'BAD_LENGTH',
      `InvalidHeaderLength: ${n} bytes past a ${fileSize}-byte file`,
      0,
    );
  }
  return Number(n);
}

function validateHeader(
  bytes: Uint8Array,
  n: number,
  fileSize: number,
  limits: Limits,
): SafetensorsHeader {
  const text = decodeUtf8(bytes, 8);
  const root = parseStrictJson(text, 8);
  if (root.kind !== 'object') throw structure('header is not a JSON object', root.at);
  checkLimit(root.entries.size, limits.maxEntries, 'maxEntries', 8);
  let metadata: Map<string, string> | undefined;
  const tensors: (Omit<SafetensorsTensor, 'fileOffset' | 'byteLength'> & { at: number })[] = [];
  for (const [name, value] of root.entries) {
    if (name === '__metadata__') {
      metadata = readMetadata(value);
      continue;
    }
    if (value.kind !== 'object') throw structure(`tensor ${name} is not an object`, value.at);
    const dtype = value.entries.get('dtype');
    const shape = value.entries.get('shape');
    const offsets = value.entries.get('data_offsets');
    if (dtype?.kind !== 'string')
      throw structure(`tensor ${name}: dtype missing or not a string`, value.at);
    if (shape?.kind !== 'array')
      throw structure(`tensor ${name}: shape missing or not an array`, value.at);
    if (offsets?.kind !== 'array' || offsets.items.length !== 2) {
      throw structure(`tensor ${name}: data_offsets must be [begin, end]`, value.at);
    }
    if (!SAFETENSORS_DTYPE_BITS.has(dtype.value)) {
      throw new FormatError('BAD_VALUE', `tensor ${name}: unknown dtype ${dtype.value}`, dtype.at);
    }
    const [begin, end] = offsets.items.map((v) => usize(v, name)) as [bigint, bigint];
    tensors.push({
      name,
      dtype: dtype.value,
      shape: shape.items.map((v) => dimension(v, name)),
      dataOffsets: [safe(begin, name, offsets.at), safe(end, name, offsets.at)],
      at: value.at,
    });
  }
  // The crate sorts by data_offsets, then walks: each tensor must start where the previous ended.
  tensors.sort(
    (a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  const dataStart = 8 + n;
  let cursor = 0;
  const out: SafetensorsTensor[] = [];
  for (const t of tensors) {
    const [s, e] = t.dataOffsets;
    if (s !== cursor || e < s) {
      throw structure(`InvalidOffset(${t.name}): [${s}, ${e}) after ${cursor}`, t.at);
    }
    let elements = 1n;
    for (const d of t.shape) {
      elements *= BigInt(d);
      if (elements > U64_MAX)
        throw length(`ValidationOverflow: ${t.name} has too many elements`, t.at);
    }
    const bits = elements * BigInt(SAFETENSORS_DTYPE_BITS.get(t.dtype) ?? 0);
    if (bits > U64_MAX) throw length(`ValidationOverflow: ${t.name} size overflows`, t.at);
    if (bits % 8n !== 0n)
      throw length(`MisalignedSlice: ${t.name} is not a whole number of bytes`, t.at);
    if (BigInt(e - s) !== bits / 8n) {
      throw length(`TensorInvalidInfo: ${t.name} needs ${bits / 8n} bytes, has ${e - s}`, t.at);
    }
    out.push({
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      dataOffsets: t.dataOffsets,
      fileOffset: dataStart + s,
      byteLength: e - s,
    });
    cursor = e;
  }
  if (dataStart + cursor !== fileSize) {
    throw length(
      `MetadataIncompleteBuffer: data ends at ${dataStart + cursor}, file has ${fileSize} bytes`,
      dataStart + cursor,
    );
  }
  return { headerLength: n, dataStart, metadata, tensors: out };
}

function readMetadata(value: JsonValue): Map<string, string> {
  if (value.kind !== 'object') throw structure('__metadata__ is not an object', value.at);
  const out = new Map<string, string>();
  for (const [k, v] of value.entries) {
    if (v.kind !== 'string') throw structure(`__metadata__ value of ${k} is not a string`, v.at);
    out.set(k, v.value);
  }
  return out;
}

/** A JSON number that serde reads as usize: a non-negative integer ≤ u64 max, no fraction or exponent. */
function usize(v: JsonValue, name: string): bigint {
  if (v.kind !== 'number' || !/^(?:0|[1-9]\d*)$/.test(v.text)) {
    throw new FormatError('BAD_VALUE', `tensor ${name}: expected a non-negative integer`, v.at);
  }
  const n = BigInt(v.text);
  if (n > U64_MAX) throw new FormatError('BAD_VALUE', `tensor ${name}: integer exceeds u64`, v.at);
  return n;
}

function dimension(v: JsonValue, name: string): number {
  return safe(usize(v, name), name, v.at);
}

// A u64 above 2^53 cannot be an offset into a real file; as a dimension it is only valid beside
// a zero dimension. torchward refuses it rather than lose precision (LIMIT_EXCEEDED).
function safe(n: bigint, name: string, at: number): number {
  checkLimit(n, Number.MAX_SAFE_INTEGER, name, at, () => `tensor ${name}: ${n} exceeds 2^53 - 1`);
  return Number(n);
}

function structure(message: string, at: number): FormatError {
  return new FormatError('BAD_STRUCTURE', message, at);
}

function length(message: string, at: number): FormatError {
  return new FormatError('BAD_LENGTH', message, at);
}
