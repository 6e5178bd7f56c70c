import { decodeLatin1 } from '../../core/byte-reader.js';
import type { ByteSource } from '../../core/byte-source.js';
import { checkLimit, FormatError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { isTraversalName, type ArchiveAnomaly } from '../zip/anomaly.js';

const BLOCK = 512;
// GNU long names and pax headers hold a path or a few records; 1 MiB is far past any real one.
const MAX_META_BYTES = 1024 * 1024;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** One member of a tar archive. Offsets and sizes are bytes. */
export interface TarMember {
  /** Full name: pax `path`, GNU long name, or ustar prefix + name. */
  readonly name: string;
  /** Type flag character ('0' regular, '5' directory, '2' symlink …; '\0' is shown as '0'). */
  readonly type: string;
  /** Offset of the member's own header block. */
  readonly headerOffset: number;
  readonly dataOffset: number;
  readonly size: number;
}

/** The members read before the end of the archive or the first error. */
export interface TarArchive {
  readonly members: readonly TarMember[];
  readonly anomalies: readonly ArchiveAnomaly[];
  /**
   * Why reading stopped early, if it did. Members before it are valid and must still be
   * scanned: Python's tarfile, which torch uses, also stops at a bad header after the first.
   */
  readonly error: FormatError | undefined;
}

/**
 * Reads the headers of the ustar / GNU / pax tar archive in `source` by positioned reads,
 * skipping member data (never read here). Sizes are octal or GNU base-256; GNU 'L'/'K' long
 * names and pax 'x' records (path, size) apply to the next member; pax 'g' is skipped.
 * An error in the first header throws (not a tar); a later one ends the list and is returned.
 * Throws or returns: TRUNCATED, BAD_MAGIC (checksum), BAD_LENGTH, BAD_STRUCTURE, LIMIT_EXCEEDED.
 */
export async function readTarArchive(source: ByteSource, limits: Limits): Promise<TarArchive> {
  const members: TarMember[] = [];
  const anomalies: ArchiveAnomaly[] = [];
  const seen = new Set<string>();
  let pos = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  let paxSize: number | undefined;
  let headers = 0;
  try {
    while (pos < source.size) {
      checkLimit(++headers, limits.maxEntries * 3, 'maxEntries', pos);
      const block = await source.read(pos, BLOCK);
      // End of archive: tarfile stops at the first zero block, even a cut-off one.
      if (block.every((b) => b === 0)) break;
      if (block.byteLength < BLOCK) throw new FormatError('TRUNCATED', 'tar header cut off', pos);
      verifyChecksum(block, pos);
      const type = block[156] === 0 ? '0' : String.fromCharCode(block[156] ?? 0);
      const size = paxSize ?? readSize(block, pos);
      const dataOffset = pos + BLOCK;
      if (dataOffset + size > source.size) {
        throw new FormatError(
          'TRUNCATED',
          `member data [${dataOffset}, +${size}) runs past the end`,
          pos,
        );
      }
      const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L' || type === 'x' || type === 'g' || type === 'K') {
        checkLimit(size, MAX_META_BYTES, 'tar metadata size', pos);
        const data = await source.read(dataOffset, size);
        if (type === 'L') longName = cString(data);
        else if (type === 'x') ({ path: paxPath, size: paxSize } = parsePax(data, dataOffset));
        pos = next;
        continue;
      }
      let name = paxPath ?? longName ?? headerName(block);
      // tarfile strips the trailing slash of directory names.
      if (type === '5') name = name.replace(/\/+$/, '');
      longName = undefined;
      paxPath = undefined;
      paxSize = undefined;
      checkLimit(members.length + 1, limits.maxEntries, 'maxEntries', pos);
      members.push({ name, type, headerOffset: pos, dataOffset, size });
      if (seen.has(name)) {
        anomalies.push({
          kind: 'duplicate-name',
          member: name,
          offset: pos,
          detail: 'two members share this name',
        });
      }
      seen.add(name);
      if (isTraversalName(name)) {
        anomalies.push({
          kind: 'path-traversal',
          member: name,
          offset: pos,
          detail: 'name escapes the extraction directory',
        });
      }
      if (!'0567'.includes(type)) {
        const link = cString(block.subarray(157, 257));
        anomalies.push({
          kind: 'special-member',
          member: name,
          offset: pos,
          detail: `type '${type}'${link === '' ? '' : ` → ${link}`}`,
        });
      }
      pos = next;
    }
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    if (headers <= 1) throw error;
    return { members, anomalies, error };
  }
  return { members, anomalies, error: undefined };
}

function verifyChecksum(block: Uint8Array, pos: number): void {
  const field = cString(block.subarray(148, 156)).trim();
  if (!/^[0-7]{1,8}$/.test(field))
    throw new FormatError('BAD_MAGIC', 'tar checksum field is not octal', pos + 148);
  const stored = Number.parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  // tarfile accepts the unsigned or the signed sum (old Sun tars).
  if (stored !== unsigned && stored !== signed) {
    throw new FormatError('BAD_MAGIC', `tar header checksum ${stored} ≠ ${unsigned}`, pos + 148);
  }
}

/** Size field: NUL/space-terminated octal, or GNU base-256 (high bit of the first byte). */
function readSize(block: Uint8Array, pos: number): number {
  const field = block.subarray(124, 136);
  const first = field[0] ?? 0;
  if ((first & 0x80) !== 0) {
    if (first === 0xff) throw new FormatError('BAD_LENGTH', 'negative base-256 size', pos + 124);
    let n = BigInt(first & 0x7f);
    for (let i = 1; i < field.byteLength; i++) n = (n << 8n) | BigInt(field[i] ?? 0);
    if (n > BigInt(Number.MAX_SAFE_INTEGER))
      throw new FormatError('BAD_LENGTH', `size ${n}`, pos + 124);
    return Number(n);
  }
  const text = cString(field).trim();
  if (text === '') return 0;
  if (!/^[0-7]{1,12}$/.test(text))
    throw new FormatError('BAD_LENGTH', `size field ${JSON.stringify(text)}`, pos + 124);
  return Number.parseInt(text, 8);
}

function headerName(block: Uint8Array): string {
  const name = decodeName(cStringBytes(block.subarray(0, 100)));
  // POSIX ustar ("ustar\0") has a prefix field; GNU ("ustar  \0") uses those bytes otherwise.
  const posix =
    block[257] === 0x75 && block[262] === 0 && block[263] === 0x30 && block[264] === 0x30;
  if (!posix) return name;
  const prefix = decodeName(cStringBytes(block.subarray(345, 500)));
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** pax extended header records "<len> <key>=<value>\n"; only path and size matter here. */
function parsePax(
  data: Uint8Array,
  at: number,
): { path: string | undefined; size: number | undefined } {
  let path: string | undefined;
  let size: number | undefined;
  let pos = 0;
  while (pos < data.byteLength) {
    const space = data.indexOf(0x20, pos);
    const lenText = space < 0 ? '' : decodeLatin1(data.subarray(pos, space));
    if (!/^\d{1,7}$/.test(lenText))
      throw new FormatError('BAD_STRUCTURE', 'pax record length', at + pos);
    const len = Number(lenText);
    const end = pos + len;
    if (len <= space - pos + 1 || end > data.byteLength || data[end - 1] !== 0x0a) {
      throw new FormatError('BAD_STRUCTURE', 'pax record does not fit', at + pos);
    }
    const record = decodeName(data.subarray(space + 1, end - 1));
    const eq = record.indexOf('=');
    if (eq < 0) throw new FormatError('BAD_STRUCTURE', 'pax record has no "="', at + pos);
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') path = value;
    if (key === 'size') {
      if (!/^\d{1,16}$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) {
        throw new FormatError('BAD_LENGTH', `pax size ${JSON.stringify(value)}`, at + pos);
      }
      size = Number(value);
    }
    pos = end;
  }
  return { path, size };
}

function cStringBytes(b: Uint8Array): Uint8Array {
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

function cString(b: Uint8Array): string {
  return decodeLatin1(cStringBytes(b));
}

function decodeName(b: Uint8Array): string {
  try {
    return UTF8.decode(b);
  } catch {
    return decodeLatin1(b);
  }
}
