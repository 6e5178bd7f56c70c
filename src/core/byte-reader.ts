import { FormatError } from './errors.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LATIN1 = new TextDecoder('latin1');

/**
 * A bounds-checked cursor over bytes. Every read proves its bytes exist first and throws
 * FormatError('TRUNCATED') otherwise; lengths are checked before anything is sliced.
 */
export class ByteReader {
  private readonly view: DataView;
  /** Current offset into `bytes`. */
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    /** Added to reported offsets, so errors name the position in the enclosing file. */
    readonly base = 0,
  ) {
    // A Buffer may be a window into a shared pool: always pass byteOffset and byteLength.
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  /** Absolute offset of the cursor in the enclosing file. */
  get offset(): number {
    return this.base + this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.bytes.byteLength;
  }

  /** Throws TRUNCATED unless `n` more bytes are available. */
  need(n: number | bigint): void {
    const left = this.bytes.byteLength - this.pos;
    if (typeof n === 'bigint' ? n < 0n || n > BigInt(left) : n < 0 || n > left) {
      throw new FormatError('TRUNCATED', `need ${n} bytes, have ${left}`, this.offset);
    }
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u16(littleEndian: boolean): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, littleEndian);
    this.pos += 2;
    return v;
  }

  i32(littleEndian: boolean): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, littleEndian);
    this.pos += 4;
    return v;
  }

  u32(littleEndian: boolean): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, littleEndian);
    this.pos += 4;
    return v;
  }

  u64(littleEndian: boolean): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, littleEndian);
    this.pos += 8;
    return v;
  }

  i64(littleEndian: boolean): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, littleEndian);
    this.pos += 8;
    return v;
  }

  f32(littleEndian: boolean): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, littleEndian);
    this.pos += 4;
    return v;
  }

  f64(littleEndian: boolean): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, littleEndian);
    this.pos += 8;
    return v;
  }

  /**
   * Reads a u64 that must fit a safe integer (a length or count), else BAD_LENGTH.
   * It does not check that the bytes follow; call `need` or `bytesOf` for that.
   */
  u64Safe(littleEndian: boolean): number {
    const at = this.offset;
    const v = this.u64(littleEndian);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FormatError('BAD_LENGTH', `length ${v} is not a safe integer`, at);
    }
    return Number(v);
  }

  /** Reads a little-endian u64 length and proves that many bytes follow. */
  len64le(): number {
    const n = this.u64Safe(true);
    this.need(n);
    return n;
  }

  /** A view of the next `n` bytes (no copy). */
  bytesOf(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Decodes the next `n` bytes as strict UTF-8; BAD_UTF8 on invalid sequences. */
  utf8(n: number): string {
    const at = this.offset;
    const b = this.bytesOf(n);
    return decodeUtf8(b, at);
  }

  /** Decodes the next `n` bytes as latin-1 (never fails). */
  latin1(n: number): string {
    return LATIN1.decode(this.bytesOf(n));
  }

  /**
   * Reads up to and excluding the next `\n`, consuming it. Throws TRUNCATED if there is none
   * within `maxLength` bytes.
   */
  line(maxLength: number): Uint8Array {
    const end = Math.min(this.bytes.byteLength, this.pos + maxLength + 1);
    const nl = this.bytes.subarray(this.pos, end).indexOf(0x0a);
    if (nl < 0) {
      throw new FormatError(
        end === this.bytes.byteLength ? 'TRUNCATED' : 'LIMIT_EXCEEDED',
        'line has no newline terminator',
        this.offset,
      );
    }
    const out = this.bytes.subarray(this.pos, this.pos + nl);
    this.pos += nl + 1;
    return out;
  }
}

/** Strict UTF-8 decode; BAD_UTF8 at `offset` on failure. */
export function decodeUtf8(bytes: Uint8Array, offset: number): string {
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    throw new FormatError('BAD_UTF8', 'invalid UTF-8', offset, { cause: error });
  }
}

/** Latin-1 decode: every byte is one code point. */
export function decodeLatin1(bytes: Uint8Array): string {
  return LATIN1.decode(bytes);
}
