// Decoders for the two emoji/letter-soup encodings of garak's and PyRIT's encoding probes that
// are not ASCII: base2048 (qntm's Twitter encoding, 11 bits per character drawn from letters of
// many scripts) and Ecoji v1 (10 bits per emoji). They run on the stripped text before NFKC and
// confusable folding, which would rewrite the very characters they carry (Cyrillic letters fold
// to Latin, squared CJK emojis decompose under NFKC).

/** An encoding this module can find and decode. */
export type UnicodeEncoding = 'base2048' | 'ecoji';

/** A candidate span. */
export interface UnicodeCandidate {
  readonly encoding: UnicodeEncoding;
  readonly start: number;
  readonly end: number;
}

// The 2048 characters of base2048's 11-bit repertoire as inclusive code point ranges, in digit
// order (the repertoire published with qntm's reference implementation, npm `base2048` 3.0.0).
// A final character may instead come from the 3-bit tail repertoire, '0' to '7'.
const BASE2048_RANGES = [
  0x38, 0x39, 0x41, 0x5a, 0x61, 0x7a, 0xc6, 0xc6, 0xd0, 0xd0, 0xd8, 0xd8, 0xde, 0xdf, 0xe6, 0xe6,
  0xf0, 0xf0, 0xf8, 0xf8, 0xfe, 0xfe, 0x110, 0x111, 0x126, 0x127, 0x131, 0x131, 0x138, 0x138, 0x141,
  0x142, 0x14a, 0x14b, 0x152, 0x153, 0x166, 0x167, 0x180, 0x19f, 0x1a2, 0x1ae, 0x1b1, 0x1c3, 0x1dd,
  0x1dd, 0x1e4, 0x1e5, 0x1f6, 0x1f7, 0x21c, 0x21d, 0x220, 0x225, 0x234, 0x2af, 0x370, 0x373, 0x376,
  0x377, 0x37b, 0x37d, 0x37f, 0x37f, 0x391, 0x3a1, 0x3a3, 0x3a9, 0x3b1, 0x3c9, 0x3cf, 0x3cf, 0x3d7,
  0x3ef, 0x3f3, 0x3f3, 0x3f7, 0x3f8, 0x3fa, 0x3ff, 0x402, 0x402, 0x404, 0x406, 0x408, 0x40b, 0x40f,
  0x418, 0x41a, 0x438, 0x43a, 0x44f, 0x452, 0x452, 0x454, 0x456, 0x458, 0x45b, 0x45f, 0x475, 0x478,
  0x481, 0x48a, 0x4c0, 0x4c3, 0x4cf, 0x4d4, 0x4d5, 0x4d8, 0x4d9, 0x4e0, 0x4e1, 0x4e8, 0x4e9, 0x4f6,
  0x4f7, 0x4fa, 0x52f, 0x531, 0x556, 0x561, 0x586, 0x5d0, 0x5ea, 0x5f0, 0x5f2, 0x620, 0x621, 0x627,
  0x63f, 0x641, 0x64a, 0x660, 0x669, 0x66e, 0x66f, 0x671, 0x674, 0x679, 0x6bf, 0x6c1, 0x6c1, 0x6c3,
  0x6d2, 0x6d5, 0x6d5, 0x6ee, 0x6fc, 0x6ff, 0x6ff, 0x710, 0x710, 0x712, 0x72f, 0x74d, 0x7a5, 0x7b1,
  0x7b1, 0x7c0, 0x7ea, 0x800, 0x815, 0x840, 0x858, 0x860, 0x86a, 0x8a0, 0x8b4, 0x8b6, 0x8bd, 0x904,
  0x928, 0x92a, 0x930, 0x932, 0x933, 0x935, 0x939, 0x93d, 0x93d, 0x950, 0x950, 0x960, 0x961, 0x966,
  0x96f, 0x972, 0x980, 0x985, 0x98c, 0x98f, 0x990, 0x993, 0x9a8, 0x9aa, 0x9b0, 0x9b2, 0x9b2, 0x9b6,
  0x9b9, 0x9bd, 0x9bd, 0x9ce, 0x9ce, 0x9e0, 0x9e1, 0x9e6, 0x9f1, 0x9f4, 0x9f9, 0x9fc, 0x9fc, 0xa05,
  0xa0a, 0xa0f, 0xa10, 0xa13, 0xa28, 0xa2a, 0xa30, 0xa32, 0xa32, 0xa35, 0xa35, 0xa38, 0xa39, 0xa5c,
  0xa5c, 0xa66, 0xa6f, 0xa72, 0xa74, 0xa85, 0xa8d, 0xa8f, 0xa91, 0xa93, 0xaa8, 0xaaa, 0xab0, 0xab2,
  0xab3, 0xab5, 0xab9, 0xabd, 0xabd, 0xad0, 0xad0, 0xae0, 0xae1, 0xae6, 0xaef, 0xaf9, 0xaf9, 0xb05,
  0xb0c, 0xb0f, 0xb10, 0xb13, 0xb28, 0xb2a, 0xb30, 0xb32, 0xb33, 0xb35, 0xb39, 0xb3d, 0xb3d, 0xb5f,
  0xb61, 0xb66, 0xb6f, 0xb71, 0xb77, 0xb83, 0xb83, 0xb85, 0xb8a, 0xb8e, 0xb90, 0xb92, 0xb93, 0xb95,
  0xb95, 0xb99, 0xb9a, 0xb9c, 0xb9c, 0xb9e, 0xb9f, 0xba3, 0xba4, 0xba8, 0xbaa, 0xbae, 0xbb9, 0xbd0,
  0xbd0, 0xbe6, 0xbf2, 0xc05, 0xc0c, 0xc0e, 0xc10, 0xc12, 0xc28, 0xc2a, 0xc39, 0xc3d, 0xc3d, 0xc58,
  0xc5a, 0xc60, 0xc61, 0xc66, 0xc6f, 0xc78, 0xc7e, 0xc80, 0xc80, 0xc85, 0xc8c, 0xc8e, 0xc90, 0xc92,
  0xca8, 0xcaa, 0xcb3, 0xcb5, 0xcb9, 0xcbd, 0xcbd, 0xcde, 0xcde, 0xce0, 0xce1, 0xce6, 0xcef, 0xcf1,
  0xcf2, 0xd05, 0xd0c, 0xd0e, 0xd10, 0xd12, 0xd3a, 0xd3d, 0xd3d, 0xd4e, 0xd4e, 0xd54, 0xd56, 0xd58,
  0xd61, 0xd66, 0xd78, 0xd7a, 0xd7f, 0xd85, 0xd96, 0xd9a, 0xdb1, 0xdb3, 0xdbb, 0xdbd, 0xdbd, 0xdc0,
  0xdc6, 0xde6, 0xdef, 0xe01, 0xe30, 0xe32, 0xe32, 0xe40, 0xe45, 0xe50, 0xe59, 0xe81, 0xe82, 0xe84,
  0xe84, 0xe87, 0xe88, 0xe8a, 0xe8a, 0xe8d, 0xe8d, 0xe94, 0xe97, 0xe99, 0xe9f, 0xea1, 0xea3, 0xea5,
  0xea5, 0xea7, 0xea7, 0xeaa, 0xeab, 0xead, 0xeb0, 0xeb2, 0xeb2, 0xebd, 0xebd, 0xec0, 0xec4, 0xed0,
  0xed9, 0xede, 0xedf, 0xf00, 0xf00, 0xf20, 0xf33, 0xf40, 0xf42, 0xf44, 0xf47, 0xf49, 0xf4c, 0xf4e,
  0xf51, 0xf53, 0xf56, 0xf58, 0xf5b, 0xf5d, 0xf68, 0xf6a, 0xf6c, 0xf88, 0xf8c, 0x1000, 0x1025,
  0x1027, 0x102a, 0x103f, 0x1049, 0x1050, 0x1055,
];

// Ecoji v1's 1024 emojis as inclusive code point ranges, in digit order (keith-turner/ecoji
// emojis.txt, the alphabet ecoji-py implements, which garak's InjectEcoji and PyRIT's
// EcojiConverter call). U+2615 pads a short final group; U+269C, U+1F3CD, U+1F4D1 and U+1F64B
// end a four-byte final group and carry its last two bits.
const ECOJI_RANGES = [
  0x1f004, 0x1f004, 0x1f0cf, 0x1f0cf, 0x1f170, 0x1f171, 0x1f17e, 0x1f17f, 0x1f18e, 0x1f18e, 0x1f191,
  0x1f19a, 0x1f1e6, 0x1f1ff, 0x1f201, 0x1f202, 0x1f21a, 0x1f21a, 0x1f22f, 0x1f22f, 0x1f232, 0x1f23a,
  0x1f250, 0x1f251, 0x1f300, 0x1f321, 0x1f324, 0x1f393, 0x1f396, 0x1f397, 0x1f399, 0x1f39b, 0x1f39e,
  0x1f3cc, 0x1f3ce, 0x1f3f0, 0x1f3f3, 0x1f3f5, 0x1f3f7, 0x1f4d0, 0x1f4d2, 0x1f4fd, 0x1f4ff, 0x1f53d,
  0x1f549, 0x1f54e, 0x1f550, 0x1f567, 0x1f56f, 0x1f570, 0x1f573, 0x1f57a, 0x1f587, 0x1f587, 0x1f58a,
  0x1f58d, 0x1f590, 0x1f590, 0x1f595, 0x1f596, 0x1f5a4, 0x1f5a5, 0x1f5a8, 0x1f5a8, 0x1f5b1, 0x1f5b2,
  0x1f5bc, 0x1f5bc, 0x1f5c2, 0x1f5c4, 0x1f5d1, 0x1f5d3, 0x1f5dc, 0x1f5de, 0x1f5e1, 0x1f5e1, 0x1f5e3,
  0x1f5e3, 0x1f5e8, 0x1f5e8, 0x1f5ef, 0x1f5ef, 0x1f5f3, 0x1f5f3, 0x1f5fa, 0x1f64a, 0x1f64c, 0x1f64f,
  0x1f680, 0x1f6c5, 0x1f6cb, 0x1f6d2, 0x1f6e0, 0x1f6e5, 0x1f6e9, 0x1f6e9, 0x1f6eb, 0x1f6ec, 0x1f6f0,
  0x1f6f0, 0x1f6f3, 0x1f6f9, 0x1f910, 0x1f93a, 0x1f93c, 0x1f93e, 0x1f940, 0x1f945, 0x1f947, 0x1f970,
  0x1f973, 0x1f976, 0x1f97a, 0x1f97a, 0x1f97c, 0x1f9a2, 0x1f9b0, 0x1f9b9, 0x1f9c0, 0x1f9c2, 0x1f9d0,
  0x1f9d5,
];
const ECOJI_PAD = 0x2615;
const ECOJI_PAD4 = [0x269c, 0x1f3cd, 0x1f4d1, 0x1f64b];

/** A sorted range table: the digit of a code point, or -1. */
class RangeTable {
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly base: Int32Array;
  readonly size: number;

  constructor(flat: readonly number[]) {
    const n = flat.length / 2;
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n);
    this.base = new Int32Array(n);
    let size = 0;
    for (let i = 0; i < n; i++) {
      this.lo[i] = flat[2 * i] ?? 0;
      this.hi[i] = flat[2 * i + 1] ?? 0;
      this.base[i] = size;
      size += (this.hi[i] ?? 0) - (this.lo[i] ?? 0) + 1;
    }
    this.size = size;
  }

  digit(cp: number): number {
    let a = 0;
    let b = this.lo.length - 1;
    while (a <= b) {
      const m = (a + b) >> 1;
      if (cp < (this.lo[m] ?? 0)) b = m - 1;
      else if (cp > (this.hi[m] ?? 0)) a = m + 1;
      else return (this.base[m] ?? 0) + cp - (this.lo[m] ?? 0);
    }
    return -1;
  }

  /** The code point of a digit (the inverse of `digit`). */
  codePoint(d: number): number {
    for (let i = this.lo.length - 1; i >= 0; i--) {
      if (d >= (this.base[i] ?? 0)) return (this.lo[i] ?? 0) + d - (this.base[i] ?? 0);
    }
    return -1;
  }

  /** A regex character class of the table (for the `u` flag). */
  charClass(extra = ''): string {
    let s = '';
    for (let i = 0; i < this.lo.length; i++) {
      const a = this.lo[i] ?? 0;
      const b = this.hi[i] ?? 0;
      s += a === b ? `\\u{${a.toString(16)}}` : `\\u{${a.toString(16)}}-\\u{${b.toString(16)}}`;
    }
    return `[${s}${extra}]`;
  }
}

/** base2048's 11-bit repertoire. */
export const BASE2048 = new RangeTable(BASE2048_RANGES);
/** Ecoji v1's 1024 emojis. */
export const ECOJI_V1 = new RangeTable(ECOJI_RANGES);

// A run of six or more base2048 characters (66 bits, 8 bytes), maybe ending in a tail digit.
const RE_BASE2048 = new RegExp(`${BASE2048.charClass()}{6,}[0-7]?`, 'gu');
// A run of four or more Ecoji emojis or paddings, with line breaks allowed between them.
const ECOJI_CLASS = ECOJI_V1.charClass(
  [ECOJI_PAD, ...ECOJI_PAD4].map((c) => `\\u{${c.toString(16)}}`).join(''),
);
const RE_ECOJI = new RegExp(`${ECOJI_CLASS}(?:\\r?\\n?${ECOJI_CLASS}){3,}`, 'gu');

/** Candidate base2048 and Ecoji spans of `text`, at most `maxSpans`. */
export function unicodeCandidates(text: string, maxSpans: number): UnicodeCandidate[] {
  const out: UnicodeCandidate[] = [];
  const add = (encoding: UnicodeEncoding, re: RegExp): void => {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null && out.length < maxSpans) {
      if (encoding === 'ecoji' || base2048Plausible(m[0]))
        out.push({ encoding, start: m.index, end: m.index + m[0].length });
    }
  };
  // Cheap prechecks: base2048 needs letters beyond Latin-1, Ecoji needs astral or U+26xx symbols.
  if (/[\u0100-\u109f]/.test(text)) add('base2048', RE_BASE2048);
  if (/[\u{1f000}-\u{1faff}\u2615\u269c]/u.test(text)) add('ecoji', RE_ECOJI);
  return out;
}

// Encoded base2048 draws from many scripts at once; a word of one language stays in one block
// or two (Latin plus Latin-1, a Cyrillic word, a Devanagari word). Half its characters or more
// are outside ASCII (only 60 of the 2048 are ASCII).
function base2048Plausible(run: string): boolean {
  const blocks = new Set<number>();
  let nonAscii = 0;
  let n = 0;
  for (const ch of run) {
    const cp = ch.codePointAt(0) ?? 0;
    n++;
    if (cp > 0x7f) nonAscii++;
    blocks.add(cp >> 7);
  }
  return blocks.size >= 3 && nonAscii * 2 >= n;
}

/** Decodes one candidate span to bytes; undefined when it is not valid. */
export function decodeUnicode(encoding: UnicodeEncoding, raw: string): Uint8Array | undefined {
  if (encoding === 'base2048') return base2048Decode(raw);
  // An ordinary emoji just before or after the encoded run joins the candidate: drop up to three
  // emojis from its ends until the run is whole groups of four.
  const runes = Array.from(raw.replace(/\r?\n/g, ''));
  const extra = runes.length % 4;
  for (let front = extra; front >= 0; front--) {
    const b = ecojiDecode(runes.slice(front, runes.length - (extra - front)).join(''));
    if (b !== undefined) return b;
  }
  return undefined;
}

/** base2048 text to bytes (11 bits per character, a 3-bit tail digit, 1-bit padding). */
export function base2048Decode(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let acc = 0;
  let nbits = 0;
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const cp = chars[i]?.codePointAt(0) ?? 0;
    let value: number;
    let width: number;
    if (i === chars.length - 1 && cp >= 0x30 && cp <= 0x37) {
      value = cp - 0x30;
      width = 3;
    } else {
      value = BASE2048.digit(cp);
      width = 11;
      if (value < 0) return undefined;
    }
    acc = (acc << width) | value;
    nbits += width;
    while (nbits >= 8) {
      nbits -= 8;
      out.push((acc >> nbits) & 0xff);
    }
    acc &= (1 << nbits) - 1;
  }
  // The encoder pads the last character with 1 bits.
  const rest = acc & ((1 << nbits) - 1);
  if (rest !== (1 << nbits) - 1) return undefined;
  return Uint8Array.from(out);
}

/** Ecoji v1 text to bytes (groups of four emojis for five bytes); undefined when invalid. */
export function ecojiDecode(text: string): Uint8Array | undefined {
  const runes = Array.from(text.replace(/\r?\n/g, '')).map((c) => c.codePointAt(0) ?? 0);
  if (runes.length === 0 || runes.length % 4 !== 0) return undefined;
  const out: number[] = [];
  for (let g = 0; g < runes.length; g += 4) {
    const r = runes.slice(g, g + 4);
    const v: number[] = [];
    for (let k = 0; k < 4; k++) {
      const cp = r[k] ?? 0;
      if (cp === ECOJI_PAD) v.push(0);
      else if (k === 3 && ECOJI_PAD4.includes(cp)) v.push(ECOJI_PAD4.indexOf(cp) << 8);
      else {
        const d = ECOJI_V1.digit(cp);
        if (d < 0) return undefined;
        v.push(d);
      }
    }
    const [a = 0, b = 0, c = 0, d = 0] = v;
    const bytes = [
      a >> 2,
      ((a & 3) << 6) | (b >> 4),
      ((b & 0xf) << 4) | (c >> 6),
      ((c & 0x3f) << 2) | (d >> 8),
      d & 0xff,
    ];
    const n =
      r[0] === ECOJI_PAD
        ? 0
        : r[1] === ECOJI_PAD
          ? 1
          : r[2] === ECOJI_PAD
            ? 2
            : r[3] === ECOJI_PAD
              ? 3
              : ECOJI_PAD4.includes(r[3] ?? 0)
                ? 4
                : 5;
    if (n === 0) return undefined;
    out.push(...bytes.slice(0, n));
  }
  return Uint8Array.from(out);
}
