import { checkLimit, FormatError } from '../../core/errors.js';
import { CappedOutput } from './output-buffer.js';

// LZMA constants (LZMA SDK lzma-specification.txt).
const NUM_STATES = 12;
const POS_STATES_MAX = 16;
const END_POS_MODEL_INDEX = 14;
const NUM_FULL_DISTANCES = 128;
const NUM_ALIGN_BITS = 4;
const MATCH_MIN_LEN = 2;
const PROB_INIT = 1024;

/** The 13-byte header of an `.lzma` ("LZMA alone") file. */
export interface LzmaAloneHeader {
  readonly lc: number;
  readonly lp: number;
  readonly pb: number;
  readonly dictSize: number;
  /** Declared uncompressed size, or undefined when unknown (an end marker follows the data). */
  readonly unpackSize: number | undefined;
}

/**
 * Reads the LZMA-alone header: properties byte, u32 LE dictionary size, u64 LE uncompressed size
 * (all ones = unknown). Throws TRUNCATED, BAD_STRUCTURE (properties out of range), BAD_LENGTH
 * (a size over 2^53).
 */
export function readLzmaAloneHeader(input: Uint8Array, offset = 0): LzmaAloneHeader {
  if (input.byteLength < 13) throw new FormatError('TRUNCATED', 'LZMA header cut off', offset);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  let d = input[0] ?? 0;
  if (d >= 9 * 5 * 5) throw new FormatError('BAD_STRUCTURE', `LZMA properties byte ${d}`, offset);
  const lc = d % 9;
  d = Math.floor(d / 9);
  const lp = d % 5;
  const pb = Math.floor(d / 5);
  const dictSize = view.getUint32(1, true);
  const size = view.getBigUint64(5, true);
  let unpackSize: number | undefined;
  if (size !== 0xffffffffffffffffn) {
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FormatError('BAD_LENGTH', `LZMA size ${size}`, offset + 5);
    }
    unpackSize = Number(size);
  }
  return { lc, lp, pb, dictSize, unpackSize };
}

/**
 * Decodes an `.lzma` (LZMA alone) stream, never producing more than `cap` bytes. The whole output
 * is the dictionary, so the declared dictionary size allocates nothing. `offset` is where
 * `input` starts in the file. Throws TRUNCATED, BAD_STRUCTURE, BAD_LENGTH, LIMIT_EXCEEDED.
 */
export function decodeLzmaAlone(
  input: Uint8Array,
  cap: number,
  offset = 0,
  deadline?: number,
): Uint8Array {
  const header = readLzmaAloneHeader(input, offset);
  const declared = header.unpackSize;
  if (declared !== undefined) {
    checkLimit(
      declared,
      cap,
      'LZMA unpack size',
      offset + 5,
      () => `LZMA declares ${declared} bytes (cap ${cap})`,
    );
  }
  const out = new CappedOutput(
    cap,
    offset,
    Math.min(header.unpackSize ?? input.byteLength * 4, 1 << 24),
    deadline,
  );
  new LzmaDecoder(input, 13, offset, header, out).run();
  return out.bytes();
}

class RangeDecoder {
  range = 0xffffffff;
  code = 0;
  pos: number;

  constructor(
    private readonly input: Uint8Array,
    start: number,
    private readonly base: number,
  ) {
    this.pos = start;
    if (this.next() !== 0)
      throw new FormatError('BAD_STRUCTURE', 'LZMA range coder must start with 0', base + start);
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.next()) >>> 0;
    if (this.code === this.range)
      throw new FormatError('BAD_STRUCTURE', 'LZMA range coder corrupt', base + start);
  }

  private next(): number {
    const b = this.input[this.pos];
    if (b === undefined)
      throw new FormatError('TRUNCATED', 'LZMA stream ends early', this.base + this.pos);
    this.pos++;
    return b;
  }

  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.next()) >>> 0;
    }
  }

  bit(probs: Uint16Array, i: number): number {
    const p = probs[i] ?? PROB_INIT;
    const bound = ((this.range >>> 11) * p) >>> 0;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      bit = 0;
    } else {
      this.range = (this.range - bound) >>> 0;
      this.code = (this.code - bound) >>> 0;
      probs[i] = p - (p >>> 5);
      bit = 1;
    }
    this.normalize();
    return bit;
  }

  direct(count: number): number {
    let res = 0;
    for (let i = 0; i < count; i++) {
      this.range >>>= 1;
      let bit = 0;
      if (this.code >= this.range) {
        this.code = (this.code - this.range) >>> 0;
        bit = 1;
      }
      res = ((res << 1) | bit) >>> 0;
      this.normalize();
    }
    return res;
  }

  tree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, base + m);
    return m - (1 << bits);
  }

  reverseTree(probs: Uint16Array, base: number, bits: number): number {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(probs, base + m);
      m = (m << 1) | b;
      sym |= b << i;
    }
    return sym;
  }
}

/** Length decoder: choice bits, then a 3-bit low, 3-bit mid or 8-bit high tree. */
class LengthDecoder {
  private readonly choice = new Uint16Array(2).fill(PROB_INIT);
  private readonly low = new Uint16Array(POS_STATES_MAX << 3).fill(PROB_INIT);
  private readonly mid = new Uint16Array(POS_STATES_MAX << 3).fill(PROB_INIT);
  private readonly high = new Uint16Array(256).fill(PROB_INIT);

  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.choice, 0) === 0) return rc.tree(this.low, posState << 3, 3);
    if (rc.bit(this.choice, 1) === 0) return 8 + rc.tree(this.mid, posState << 3, 3);
    return 16 + rc.tree(this.high, 0, 8);
  }
}

class LzmaDecoder {
  private readonly rc: RangeDecoder;
  private readonly literal: Uint16Array;
  private readonly isMatch = new Uint16Array(NUM_STATES << 4).fill(PROB_INIT);
  private readonly isRep = new Uint16Array(NUM_STATES).fill(PROB_INIT);
  private readonly isRepG0 = new Uint16Array(NUM_STATES).fill(PROB_INIT);
  private readonly isRepG1 = new Uint16Array(NUM_STATES).fill(PROB_INIT);
  private readonly isRepG2 = new Uint16Array(NUM_STATES).fill(PROB_INIT);
  private readonly isRep0Long = new Uint16Array(NUM_STATES << 4).fill(PROB_INIT);
  private readonly posSlot = new Uint16Array(4 << 6).fill(PROB_INIT);
  private readonly posSpecial = new Uint16Array(1 + NUM_FULL_DISTANCES - END_POS_MODEL_INDEX).fill(
    PROB_INIT,
  );
  private readonly align = new Uint16Array(1 << NUM_ALIGN_BITS).fill(PROB_INIT);
  private readonly lenDecoder = new LengthDecoder();
  private readonly repLenDecoder = new LengthDecoder();

  constructor(
    input: Uint8Array,
    start: number,
    private readonly base: number,
    private readonly h: LzmaAloneHeader,
    private readonly out: CappedOutput,
  ) {
    this.rc = new RangeDecoder(input, start, base);
    this.literal = new Uint16Array(0x300 << (h.lc + h.lp)).fill(PROB_INIT);
  }

  run(): void {
    const { rc, out, h } = this;
    const pbMask = (1 << h.pb) - 1;
    const lpMask = (1 << h.lp) - 1;
    let state = 0;
    let rep0 = 0;
    let rep1 = 0;
    let rep2 = 0;
    let rep3 = 0;
    const done = (): boolean => h.unpackSize !== undefined && out.length >= h.unpackSize;
    while (!done()) {
      const posState = out.length & pbMask;
      if (rc.bit(this.isMatch, (state << 4) + posState) === 0) {
        const prev = out.back(1);
        const litState = ((out.length & lpMask) << h.lc) + (prev >>> (8 - h.lc));
        const probsBase = 0x300 * litState;
        let symbol = 1;
        if (state >= 7) {
          let matchByte = out.back(rep0 + 1);
          do {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            const bit = rc.bit(this.literal, probsBase + ((1 + matchBit) << 8) + symbol);
            symbol = (symbol << 1) | bit;
            if (matchBit !== bit) break;
          } while (symbol < 0x100);
        }
        while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(this.literal, probsBase + symbol);
        out.push(symbol - 0x100);
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      let len: number;
      if (rc.bit(this.isRep, state) !== 0) {
        if (out.length === 0)
          throw new FormatError('BAD_STRUCTURE', 'LZMA repeat before any output', this.base);
        if (rc.bit(this.isRepG0, state) === 0) {
          if (rc.bit(this.isRep0Long, (state << 4) + posState) === 0) {
            state = state < 7 ? 9 : 11;
            out.copyBack(rep0 + 1, 1);
            continue;
          }
        } else {
          let dist: number;
          if (rc.bit(this.isRepG1, state) === 0) dist = rep1;
          else {
            if (rc.bit(this.isRepG2, state) === 0) dist = rep2;
            else {
              dist = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = dist;
        }
        len = this.repLenDecoder.decode(rc, posState);
        state = state < 7 ? 8 : 11;
      } else {
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        len = this.lenDecoder.decode(rc, posState);
        state = state < 7 ? 7 : 10;
        rep0 = this.distance(len);
        if (rep0 === 0xffffffff) {
          // End marker: valid only where the size is unknown or already reached.
          if (h.unpackSize !== undefined && out.length !== h.unpackSize) {
            throw new FormatError(
              'BAD_LENGTH',
              'LZMA end marker before the declared size',
              this.base,
            );
          }
          return;
        }
      }
      let count = len + MATCH_MIN_LEN;
      if (h.unpackSize !== undefined) count = Math.min(count, h.unpackSize - out.length);
      out.copyBack(rep0 + 1, count);
    }
  }

  private distance(len: number): number {
    const { rc } = this;
    const lenState = Math.min(len, 3);
    const slot = rc.tree(this.posSlot, lenState << 6, 6);
    if (slot < 4) return slot;
    const direct = (slot >>> 1) - 1;
    let dist = ((2 | (slot & 1)) << direct) >>> 0;
    if (slot < END_POS_MODEL_INDEX) {
      return (dist + rc.reverseTree(this.posSpecial, dist - slot, direct)) >>> 0;
    }
    dist = (dist + ((rc.direct(direct - NUM_ALIGN_BITS) << NUM_ALIGN_BITS) >>> 0)) >>> 0;
    return (dist + rc.reverseTree(this.align, 0, NUM_ALIGN_BITS)) >>> 0;
  }
}
