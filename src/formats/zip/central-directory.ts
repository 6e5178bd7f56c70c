import { ByteReader, decodeLatin1 } from '../../core/byte-reader.js';
import type { ByteSource } from '../../core/byte-source.js';
import { checkLimit, FormatError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { isTraversalName, type ArchiveAnomaly } from './anomaly.js';

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_MIN = 56;
const CENTRAL_SIZE = 46;
/** Flag 0x1: traditional PKWARE encryption; 0x40: strong encryption (APPNOTE 4.4.4). */
export const FLAG_ENCRYPTED = 0x1 | 0x40;
/** Flag 0x20: compressed patched data, which no ordinary reader can apply. */
export const FLAG_PATCHED = 0x20;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** One central-directory record. Sizes and offsets are in bytes, zip64 values applied. */
export interface ZipEntry {
  /** Position in the central directory (0-based). */
  readonly index: number;
  /** UTF-8 when valid, else latin-1 (torch compares raw bytes; the names it wants are ASCII). */
  readonly name: string;
  readonly nameBytes: Uint8Array;
  readonly flags: number;
  /** 0 stored, 8 deflated; anything else cannot be read. */
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  /** Offset of this entry's central-directory record. */
  readonly centralOffset: number;
  readonly isDirectory: boolean;
}

/** A zip archive as torch's PyTorchStreamReader (miniz) sees it: the central directory. */
export interface ZipArchive {
  readonly entries: readonly ZipEntry[];
  /** Anomalies visible in the central directory alone (duplicates, traversal, flag bits). */
  readonly anomalies: readonly ArchiveAnomaly[];
  /** Offset of the end-of-central-directory record. */
  readonly eocdOffset: number;
  readonly zip64: boolean;
}

/**
 * Reads the end records and the central directory of the zip in `source`, fetching only the
 * tail (at most 64 KiB + 98 bytes) and the directory itself; members are not read.
 * Throws BAD_MAGIC when no end record exists, TRUNCATED / BAD_LENGTH when the directory does not
 * fit, LIMIT_EXCEEDED over limits.maxHeaderBytes or limits.maxEntries, UNSUPPORTED_FEATURE for
 * multi-disk archives.
 */
export async function parseZipDirectory(source: ByteSource, limits: Limits): Promise<ZipArchive> {
  const size = source.size;
  if (size < EOCD_SIZE) throw new FormatError('TRUNCATED', 'too short for a zip end record', 0);
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE);
  const tailStart = size - tailLength;
  const tail = await source.read(tailStart, tailLength);
  const eocdAt = findLastEocd(tail);
  if (eocdAt < 0) throw new FormatError('BAD_MAGIC', 'no end of central directory record', size);
  const eocdOffset = tailStart + eocdAt;
  const r = new ByteReader(tail, eocdAt + 4, tailStart);
  const disk = r.u16(true);
  const cdDisk = r.u16(true);
  const entriesOnDisk = r.u16(true);
  let total = r.u16(true);
  let cdSize = r.u32(true);
  let cdOffset = r.u32(true);
  if (disk !== 0 || cdDisk !== 0 || entriesOnDisk !== total) {
    throw new FormatError('UNSUPPORTED_FEATURE', 'multi-disk zip archive', eocdOffset);
  }
  let zip64 = false;
  let directoryEnd = eocdOffset;
  const locatorAt = eocdAt - ZIP64_LOCATOR_SIZE;
  if (locatorAt >= 0 && readU32(tail, locatorAt) === SIG_ZIP64_LOCATOR) {
    // Zip64: the locator points at the zip64 end record, which holds the 64-bit values.
    zip64 = true;
    const lr = new ByteReader(tail, locatorAt + 4, tailStart);
    const z64Disk = lr.u32(true);
    const z64Offset = lr.u64Safe(true);
    const disks = lr.u32(true);
    if (z64Disk !== 0 || disks > 1) {
      throw new FormatError(
        'UNSUPPORTED_FEATURE',
        'multi-disk zip64 archive',
        tailStart + locatorAt,
      );
    }
    if (z64Offset + ZIP64_EOCD_MIN > tailStart + locatorAt) {
      throw new FormatError(
        'BAD_LENGTH',
        'zip64 end record offset out of range',
        tailStart + locatorAt,
      );
    }
    const rec = new ByteReader(await source.read(z64Offset, ZIP64_EOCD_MIN), 0, z64Offset);
    if (rec.u32(true) !== SIG_ZIP64_EOCD) {
      throw new FormatError('BAD_MAGIC', 'zip64 end record signature missing', z64Offset);
    }
    rec.skip(8 + 2 + 2 + 4 + 4);
    const onDisk64 = rec.u64Safe(true);
    const total64 = rec.u64Safe(true);
    if (onDisk64 !== total64) {
      throw new FormatError('UNSUPPORTED_FEATURE', 'multi-disk zip64 archive', z64Offset);
    }
    total = total64;
    cdSize = rec.u64Safe(true);
    cdOffset = rec.u64Safe(true);
    directoryEnd = z64Offset;
  }
  checkLimit(total, limits.maxEntries, 'maxEntries', eocdOffset);
  checkLimit(cdSize, limits.maxHeaderBytes, 'maxHeaderBytes', eocdOffset);
  if (cdOffset + cdSize > directoryEnd) {
    throw new FormatError(
      'BAD_LENGTH',
      `central directory [${cdOffset}, +${cdSize}) runs past its end record at ${directoryEnd}`,
      eocdOffset,
    );
  }
  // Each record is at least 46 bytes: a count the directory cannot hold is a lie.
  if (total * CENTRAL_SIZE > cdSize) {
    throw new FormatError('BAD_LENGTH', `${total} entries cannot fit ${cdSize} bytes`, eocdOffset);
  }
  const cd = await source.read(cdOffset, cdSize);
  const entries = readCentralRecords(cd, cdOffset, total);
  return { entries, anomalies: directoryAnomalies(entries), eocdOffset, zip64 };
}

function readCentralRecords(cd: Uint8Array, base: number, total: number): ZipEntry[] {
  const r = new ByteReader(cd, 0, base);
  const entries: ZipEntry[] = [];
  for (let index = 0; index < total; index++) {
    const centralOffset = r.offset;
    if (r.u32(true) !== SIG_CENTRAL) {
      throw new FormatError(
        'BAD_MAGIC',
        'central directory record signature missing',
        centralOffset,
      );
    }
    r.skip(4); // version made by, version needed
    const flags = r.u16(true);
    const method = r.u16(true);
    r.skip(4); // time, date
    const crc32 = r.u32(true);
    let compressedSize = r.u32(true);
    let uncompressedSize = r.u32(true);
    const nameLength = r.u16(true);
    const extraLength = r.u16(true);
    const commentLength = r.u16(true);
    const diskStart = r.u16(true);
    r.skip(6); // internal and external attributes
    let localHeaderOffset = r.u32(true);
    const nameBytes = r.bytesOf(nameLength);
    const extraAt = r.offset;
    const extra = r.bytesOf(extraLength);
    r.skip(commentLength);
    // Zip64 extended information (APPNOTE 4.5.3): only the fields saturated in the record follow.
    const z64 = findExtra(extra, 0x0001);
    if (z64 !== undefined) {
      const zr = new ByteReader(z64, 0, extraAt);
      if (uncompressedSize === 0xffffffff) uncompressedSize = zr.u64Safe(true);
      if (compressedSize === 0xffffffff) compressedSize = zr.u64Safe(true);
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = zr.u64Safe(true);
    }
    if (diskStart !== 0 && diskStart !== 0xffff) {
      throw new FormatError('UNSUPPORTED_FEATURE', 'member on another disk', centralOffset);
    }
    const name = decodeName(nameBytes);
    entries.push({
      index,
      name,
      nameBytes,
      flags,
      method,
      crc32,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      centralOffset,
      isDirectory: name.endsWith('/'),
    });
  }
  return entries;
}

function directoryAnomalies(entries: readonly ZipEntry[]): ArchiveAnomaly[] {
  const out: ArchiveAnomaly[] = [];
  const seen = new Map<string, number>();
  for (const e of entries) {
    const first = seen.get(e.name);
    if (first === undefined) seen.set(e.name, e.index);
    else {
      out.push({
        kind: 'duplicate-name',
        member: e.name,
        offset: e.centralOffset,
        detail: `central directory records ${first} and ${e.index} share this name`,
      });
    }
    if (isTraversalName(e.name)) {
      out.push({
        kind: 'path-traversal',
        member: e.name,
        offset: e.centralOffset,
        detail: 'name escapes the extraction directory',
      });
    }
    if ((e.flags & FLAG_ENCRYPTED) !== 0) {
      out.push({
        kind: 'encrypted',
        member: e.name,
        offset: e.centralOffset,
        detail: `flags 0x${e.flags.toString(16)} mark the member encrypted`,
      });
    }
    if ((e.flags & FLAG_PATCHED) !== 0) {
      out.push({
        kind: 'flag-bits',
        member: e.name,
        offset: e.centralOffset,
        detail: `flags 0x${e.flags.toString(16)} mark compressed patched data`,
      });
    }
    if (e.method !== 0 && e.method !== 8) {
      out.push({
        kind: 'unsupported-method',
        member: e.name,
        offset: e.centralOffset,
        detail: `compression method ${e.method} is neither stored nor deflated`,
      });
    }
  }
  return out;
}

/** The last end-of-central-directory signature in `tail` that leaves room for the record. */
function findLastEocd(tail: Uint8Array): number {
  // miniz and CPython both take the signature nearest the end of the file.
  for (let i = tail.byteLength - EOCD_SIZE; i >= 0; i--) {
    if (tail[i] === 0x50 && readU32(tail, i) === SIG_EOCD) return i;
  }
  return -1;
}

function readU32(b: Uint8Array, at: number): number {
  return (
    ((b[at] ?? 0) |
      ((b[at + 1] ?? 0) << 8) |
      ((b[at + 2] ?? 0) << 16) |
      ((b[at + 3] ?? 0) << 24)) >>>
    0
  );
}

/** The data of the first extra field with header `id`, or undefined. Malformed extras end the walk. */
export function findExtra(extra: Uint8Array, id: number): Uint8Array | undefined {
  let at = 0;
  while (at + 4 <= extra.byteLength) {
    const fieldId = (extra[at] ?? 0) | ((extra[at + 1] ?? 0) << 8);
    const length = (extra[at + 2] ?? 0) | ((extra[at + 3] ?? 0) << 8);
    if (at + 4 + length > extra.byteLength) return undefined;
    if (fieldId === id) return extra.subarray(at + 4, at + 4 + length);
    at += 4 + length;
  }
  return undefined;
}

/**
 * Decodes a member name for display and matching: UTF-8 when valid (whatever flag 0x800 says),
 * latin-1 otherwise. torch compares raw bytes, and the names it looks up are ASCII.
 */
export function decodeName(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    // latin-1 keeps every byte visible and distinct.
    return decodeLatin1(bytes);
  }
}
