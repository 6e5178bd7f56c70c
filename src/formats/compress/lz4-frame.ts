import { ByteReader } from '../../core/byte-reader.js';
import { FormatError } from '../../core/errors.js';
import { CappedOutput } from './output-buffer.js';

const LZ4_MAGIC = 0x184d2204;
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024];

/**
 * Decodes one or more concatenated LZ4 frames (lz4 frame format 1.6; joblib's `compress='lz4'`),
 * including skippable frames, never producing more than `cap` bytes. Checksums are not verified
 * (the scan reads what a tolerant reader would). `offset` is where `input` starts in the file.
 * Throws BAD_MAGIC, UNSUPPORTED_VERSION, UNSUPPORTED_FEATURE (dictionary ids), TRUNCATED,
 * BAD_STRUCTURE, BAD_LENGTH, LIMIT_EXCEEDED.
 */
export function decodeLz4Frames(
  input: Uint8Array,
  cap: number,
  offset = 0,
  deadline?: number,
): Uint8Array {
  const r = new ByteReader(input, 0, offset);
  const out = new CappedOutput(cap, offset, input.byteLength * 4, deadline);
  let frames = 0;
  while (!r.atEnd()) {
    const at = r.offset;
    const magic = r.u32(true);
    if (magic >>> 4 === 0x184d2a5) {
      r.skip(r.u32(true)); // skippable frame
      continue;
    }
    if (magic !== LZ4_MAGIC) {
      throw new FormatError(frames === 0 ? 'BAD_MAGIC' : 'BAD_STRUCTURE', 'not an LZ4 frame', at);
    }
    frames++;
    readFrame(r, out);
  }
  if (frames === 0) throw new FormatError('TRUNCATED', 'no LZ4 frame', offset);
  return out.bytes();
}

function readFrame(r: ByteReader, out: CappedOutput): void {
  const flgAt = r.offset;
  const flg = r.u8();
  const bd = r.u8();
  if (flg >> 6 !== 1)
    throw new FormatError('UNSUPPORTED_VERSION', `LZ4 frame version ${flg >> 6}`, flgAt);
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) {
    throw new FormatError('BAD_STRUCTURE', 'reserved LZ4 frame bits set', flgAt);
  }
  const blockMax = BLOCK_MAX[(bd >> 4) & 7] ?? 0;
  if (blockMax === 0) throw new FormatError('BAD_STRUCTURE', 'invalid LZ4 block size code', flgAt);
  const blockChecksum = (flg & 0x10) !== 0;
  if ((flg & 0x08) !== 0) r.skip(8); // content size: the output cap bounds us anyway
  if ((flg & 0x01) !== 0) {
    throw new FormatError('UNSUPPORTED_FEATURE', 'LZ4 frame needs an external dictionary', flgAt);
  }
  r.skip(1); // header checksum
  for (;;) {
    const sizeAt = r.offset;
    const word = r.u32(true);
    if (word === 0) break; // end mark
    const size = word & 0x7fffffff;
    if (size > blockMax)
      throw new FormatError('BAD_LENGTH', `LZ4 block of ${size} > ${blockMax}`, sizeAt);
    const block = r.bytesOf(size);
    if ((word & 0x80000000) !== 0) out.append(block);
    else decodeBlock(block, out, sizeAt + 4, blockMax);
    if (blockChecksum) r.skip(4);
  }
  if ((flg & 0x04) !== 0) r.skip(4); // content checksum
}

/** Decodes one LZ4 block (sequences of literals and matches) into `out`. */
function decodeBlock(block: Uint8Array, out: CappedOutput, at: number, blockMax: number): void {
  const r = new ByteReader(block, 0, at);
  const start = out.length;
  while (!r.atEnd()) {
    const token = r.u8();
    let literals = token >> 4;
    if (literals === 15) literals += readLength(r);
    out.append(r.bytesOf(literals));
    if (r.atEnd()) break; // the last sequence holds literals only
    const distance = r.u16(true);
    if (distance === 0) throw new FormatError('BAD_STRUCTURE', 'LZ4 match offset 0', r.offset - 2);
    let match = (token & 15) + 4;
    if ((token & 15) === 15) match += readLength(r);
    // A block never decodes past its frame's maximum: check before copying (length bombs).
    if (out.length - start + match > blockMax) {
      throw new FormatError('BAD_LENGTH', `LZ4 block decodes past ${blockMax} bytes`, at);
    }
    out.copyBack(distance, match);
  }
}

/** The LZ4 length extension: bytes of 255 continue, any other byte ends it. */
function readLength(r: ByteReader): number {
  let n = 0;
  for (;;) {
    const b = r.u8();
    n += b;
    if (b !== 255) return n;
  }
}

/**
 * Decodes one raw LZ4 block (no frame: Parquet's LZ4_RAW pages), never producing more than
 * `cap` bytes (LIMIT_EXCEEDED, BAD_LENGTH past it).
 */
export function decodeLz4Block(block: Uint8Array, cap: number): Uint8Array {
  const out = new CappedOutput(cap, 0, Math.min(cap, block.byteLength * 4 + 16));
  decodeBlock(block, out, 0, cap);
  return out.bytes();
}
