import { crc32 } from 'node:zlib';
import { ByteReader } from '../../core/byte-reader.js';
import { MemorySource, SliceSource, type ByteSource } from '../../core/byte-source.js';
import { checkLimit, FormatError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import {
  chargeInflate,
  checkDeclaredInflate,
  inflateCap,
  partialCap,
  PARTIAL_CEILING,
  type InflateBudget,
} from '../compress/budget.js';
import { inflateBounded, inflatePrefix } from '../compress/zlib-family.js';
import type { ArchiveAnomaly } from './anomaly.js';
import { FLAG_ENCRYPTED, FLAG_PATCHED, type ZipEntry } from './central-directory.js';
import { LazyInflatedSource, probeInflate } from './lazy-inflate.js';

// Deflated members declaring more than this are first inflated as a stream that keeps only a
// prefix (size and CRC checked, memory bounded); the whole member is inflated only if a reader
// asks for bytes past the prefix. PREFIX covers a sniff (4 KiB) and a .npy header (10 KiB).
const STREAM_ABOVE = 16 * 1024 * 1024;
const PREFIX = 64 * 1024;
const CRC_WINDOW = 1024 * 1024;

const SIG_LOCAL = 0x04034b50;
const LOCAL_SIZE = 30;
/** Flag 0x8: sizes and CRC follow the data in a descriptor; local fields are zero. */
const FLAG_DESCRIPTOR = 0x8;

/** A member located through its local header. */
export interface ZipMemberLocation {
  readonly entry: ZipEntry;
  /** Offset of the member's (possibly compressed) data. */
  readonly dataOffset: number;
  /** Local-header disagreements with the central directory. */
  readonly anomalies: readonly ArchiveAnomaly[];
}

/**
 * Reads the local header of `entry` to find where its data starts, as miniz does (the data
 * offset is the only thing it takes from the local header). Records a name, flag or size that
 * disagrees with the central directory (bypass C3/C4). Throws BAD_MAGIC / TRUNCATED.
 */
export async function locateZipMember(
  source: ByteSource,
  entry: ZipEntry,
): Promise<ZipMemberLocation> {
  const at = entry.localHeaderOffset;
  const head = await source.read(at, LOCAL_SIZE);
  const r = new ByteReader(head, 0, at);
  if (head.byteLength < LOCAL_SIZE) {
    throw new FormatError('TRUNCATED', `local header of ${entry.name} is cut off`, at);
  }
  if (r.u32(true) !== SIG_LOCAL) {
    throw new FormatError('BAD_MAGIC', `local header signature of ${entry.name} missing`, at);
  }
  r.skip(2);
  const flags = r.u16(true);
  r.skip(2 + 4); // method, time, date
  r.skip(4); // crc
  const compressedSize = r.u32(true);
  const uncompressedSize = r.u32(true);
  const nameLength = r.u16(true);
  const extraLength = r.u16(true);
  const localName = await source.read(at + LOCAL_SIZE, nameLength);
  if (localName.byteLength < nameLength) {
    throw new FormatError('TRUNCATED', `local name of ${entry.name} is cut off`, at + LOCAL_SIZE);
  }
  const anomalies: ArchiveAnomaly[] = [];
  if (!sameBytes(localName, entry.nameBytes)) {
    anomalies.push({
      kind: 'name-mismatch',
      member: entry.name,
      offset: at,
      detail: `local header names it ${JSON.stringify(new TextDecoder().decode(localName))}`,
    });
  }
  const bits = FLAG_ENCRYPTED | FLAG_PATCHED;
  if ((flags & bits) !== (entry.flags & bits)) {
    anomalies.push({
      kind: 'flag-bits',
      member: entry.name,
      offset: at,
      detail: `local flags 0x${flags.toString(16)} differ from central flags 0x${entry.flags.toString(16)}`,
    });
  }
  // Zip64 members keep 0xffffffff here; descriptor members keep zeros.
  const localSizesKnown =
    (flags & FLAG_DESCRIPTOR) === 0 &&
    compressedSize !== 0xffffffff &&
    uncompressedSize !== 0xffffffff;
  if (
    localSizesKnown &&
    (compressedSize !== entry.compressedSize || uncompressedSize !== entry.uncompressedSize)
  ) {
    anomalies.push({
      kind: 'size-mismatch',
      member: entry.name,
      offset: at,
      detail: `local sizes ${compressedSize}/${uncompressedSize} differ from central ${entry.compressedSize}/${entry.uncompressedSize}`,
    });
  }
  const dataOffset = at + LOCAL_SIZE + nameLength + extraLength;
  if (dataOffset + entry.compressedSize > source.size) {
    throw new FormatError(
      'TRUNCATED',
      `data of ${entry.name} [${dataOffset}, +${entry.compressedSize}) runs past the end`,
      at,
    );
  }
  return { entry, dataOffset, anomalies };
}

/** A member's decoded bytes as a source, and what reading them revealed. */
export interface OpenedZipMember {
  readonly source: ByteSource;
  readonly anomalies: readonly ArchiveAnomaly[];
}

/**
 * Opens a located member: a stored member is a window of `source` (no copy, nothing read);
 * a deflated one is inflated only after its declared size and ratio pass the limits, never past
 * them, and charged to `budget`. Records an inflated length that differs from the declared one
 * and, for inflated members, a CRC mismatch. Throws UNSUPPORTED_FEATURE for other methods,
 * LIMIT_EXCEEDED, TRUNCATED or BAD_STRUCTURE.
 */
export async function openZipMember(
  source: ByteSource,
  member: ZipMemberLocation,
  limits: Limits,
  budget: InflateBudget,
): Promise<OpenedZipMember> {
  const { entry, dataOffset } = member;
  // Encrypted data carries a 12-byte header and never matches the plain CRC: those mismatches
  // are consequences of the encryption (reported on its own), not separate anomalies.
  const encrypted = (entry.flags & FLAG_ENCRYPTED) !== 0;
  if (entry.method === 0) {
    const anomalies: ArchiveAnomaly[] = [];
    if (entry.uncompressedSize !== entry.compressedSize && !encrypted) {
      anomalies.push(sizeAnomaly(entry, entry.compressedSize));
    }
    return { source: new SliceSource(source, dataOffset, entry.compressedSize), anomalies };
  }
  if (entry.method !== 8) {
    throw new FormatError(
      'UNSUPPORTED_FEATURE',
      `compression method ${entry.method} of ${entry.name}`,
      entry.centralOffset,
    );
  }
  checkDeclaredInflate(
    limits,
    budget,
    entry.compressedSize,
    entry.uncompressedSize,
    entry.centralOffset,
  );
  if (entry.uncompressedSize > STREAM_ABOVE) {
    const cap = Math.min(
      entry.uncompressedSize + 1,
      inflateCap(limits, budget, entry.compressedSize, dataOffset),
    );
    const probe = await probeInflate(source, dataOffset, entry.compressedSize, cap, PREFIX);
    chargeInflate(budget, probe.size);
    const anomalies: ArchiveAnomaly[] = [];
    if (probe.size !== entry.uncompressedSize) anomalies.push(sizeAnomaly(entry, probe.size));
    if (!encrypted && probe.crc !== entry.crc32) anomalies.push(crcAnomaly(entry, probe.crc));
    const lazy = new LazyInflatedSource(source, dataOffset, entry.compressedSize, probe, limits);
    return { source: lazy, anomalies };
  }
  checkLimit(entry.compressedSize, limits.maxInputBytes, 'maxInputBytes', entry.centralOffset);
  const packed = await source.read(dataOffset, entry.compressedSize);
  // miniz inflates into a buffer of the declared size; one byte more shows a liar.
  const out = inflateBounded('raw', packed, limits, budget, dataOffset, entry.uncompressedSize + 1);
  const anomalies: ArchiveAnomaly[] = [];
  if (out.byteLength !== entry.uncompressedSize) anomalies.push(sizeAnomaly(entry, out.byteLength));
  const crc = encrypted ? undefined : checkCrc(entry, out);
  if (crc !== undefined) anomalies.push(crc);
  return { source: new MemorySource(out), anomalies };
}

/**
 * The decoded bytes of a member that a limit kept from being opened, up to that limit: a stored
 * member's first `maxInputBytes` (at most PARTIAL_CEILING), a deflated member inflated as a
 * stream up to `partialCap` (charged to `budget`). What lies in front of a bomb's padding is
 * still there to be parsed. Returns undefined for members it cannot decode (other methods,
 * encryption, a budget already spent); throws only what reading `source` throws.
 */
export async function openZipMemberPrefix(
  source: ByteSource,
  member: ZipMemberLocation,
  limits: Limits,
  budget: InflateBudget,
): Promise<Uint8Array | undefined> {
  const { entry, dataOffset } = member;
  if ((entry.flags & FLAG_ENCRYPTED) !== 0) return undefined;
  if (entry.method === 0) {
    const n = Math.min(entry.compressedSize, limits.maxInputBytes, PARTIAL_CEILING);
    return source.read(dataOffset, n);
  }
  if (entry.method !== 8) return undefined;
  const cap = partialCap(limits, budget, entry.compressedSize);
  if (cap <= 0) return undefined;
  const packed = await source.read(
    dataOffset,
    Math.min(entry.compressedSize, limits.maxInputBytes),
  );
  const { bytes } = await inflatePrefix('raw', packed, cap, dataOffset, budget.deadline);
  chargeInflate(budget, bytes.byteLength);
  return bytes;
}

/**
 * A crc-mismatch anomaly when `bytes` (the whole decoded member) do not match the stored CRC-32;
 * undefined for members flagged encrypted (their bytes are ciphertext).
 */
export function checkCrc(entry: ZipEntry, bytes: Uint8Array): ArchiveAnomaly | undefined {
  if ((entry.flags & FLAG_ENCRYPTED) !== 0) return undefined;
  const actual = crc32(bytes) >>> 0;
  return actual === entry.crc32 ? undefined : crcAnomaly(entry, actual);
}

/**
 * checkCrc over a member given as a source, read in 1 MiB windows so memory stays flat
 * (a stored member's bytes are never held whole for this).
 */
export async function checkCrcOfSource(
  entry: ZipEntry,
  source: ByteSource,
): Promise<ArchiveAnomaly | undefined> {
  if ((entry.flags & FLAG_ENCRYPTED) !== 0) return undefined;
  let crc = 0;
  for (let at = 0; at < source.size; at += CRC_WINDOW) {
    crc = crc32(await source.read(at, Math.min(CRC_WINDOW, source.size - at)), crc);
  }
  crc >>>= 0;
  return crc === entry.crc32 ? undefined : crcAnomaly(entry, crc);
}

function crcAnomaly(entry: ZipEntry, actual: number): ArchiveAnomaly {
  return {
    kind: 'crc-mismatch',
    member: entry.name,
    offset: entry.centralOffset,
    detail: `stored CRC-32 0x${hex8(entry.crc32)}, content has 0x${hex8(actual)}`,
  };
}

function sizeAnomaly(entry: ZipEntry, actual: number): ArchiveAnomaly {
  return {
    kind: 'size-mismatch',
    member: entry.name,
    offset: entry.centralOffset,
    detail: `declared ${entry.uncompressedSize} bytes, decodes to ${actual}`,
  };
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
