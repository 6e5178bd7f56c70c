import { createRequire } from 'node:module';

// The confusable prototypes of Unicode's UTS #39 table (security/confusables.txt, "MA" mappings),
// as the unhomoglyph package ships them: one entry per source code point, generated from
// unicode.org's file by that package's update script (data version 13.0.0). A maintained table,
// not a hand-typed list; loaded once, on first use.
let table: ReadonlyMap<number, string> | undefined;

function confusables(): ReadonlyMap<number, string> {
  if (table !== undefined) return table;
  const require = createRequire(import.meta.url);
  const data = require('unhomoglyph/data.json') as Record<string, string>;
  const m = new Map<number, string>();
  for (const [from, to] of Object.entries(data)) {
    const cp = from.codePointAt(0);
    if (cp !== undefined && from.length === (cp > 0xffff ? 2 : 1)) m.set(cp, to);
  }
  table = m;
  return m;
}

/** The prototype of one code point per the UTS #39 confusables table, or undefined. */
export function confusablePrototype(cp: number): string | undefined {
  return confusables().get(cp);
}

/**
 * The UTS #39 skeleton of `text` (section 4): NFD, each code point replaced by its confusable
 * prototype, NFD again. Two strings are confusable when their skeletons are equal. For matching
 * only: a skeleton is not meant to be shown (`m` becomes `rn`).
 */
export function skeleton(text: string): string {
  const t = confusables();
  let out = '';
  for (const ch of text.normalize('NFD')) out += t.get(ch.codePointAt(0) ?? 0) ?? ch;
  return out.normalize('NFD');
}

// eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included
const RE_ASCII = /^[\x00-\x7f]*$/;
const RE_MARK = /^\p{Mn}$/u;
const RE_LATIN = /^\p{Script=Latin}$/u;
const RE_LETTER = /^\p{L}$/u;
const RE_UPPER = /^\p{Lu}$/u;
const SCRIPT_NAMES = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Cherokee'];
const RE_SCRIPT_OF: readonly (readonly [string, RegExp])[] = [
  ['Cyrillic', /^\p{Script=Cyrillic}$/u],
  ['Greek', /^\p{Script=Greek}$/u],
  ['Armenian', /^\p{Script=Armenian}$/u],
  ['Cherokee', /^\p{Script=Cherokee}$/u],
];

/** The text detectors read, with each code unit's offset in the stripped text. */
export interface Folded {
  readonly text: string;
  /** map[i] = stripped-text offset of folded code unit i; map[text.length] = stripped length. */
  readonly map: Int32Array;
  /** Non-ASCII letters replaced by an ASCII confusable prototype: [start, end) in stripped. */
  readonly confusableSpans: { start: number; end: number; from: string; to: string }[];
  /** Words mixing Latin letters with Cyrillic, Greek, Armenian or Cherokee ones. */
  readonly mixedScriptWords: { start: number; end: number; scripts: string }[];
  /** Code points NFKC changed (fullwidth letters, ligatures, math alphanumerics …). */
  readonly compatibilityCount: number;
  readonly compatibilitySpan?: { start: number; end: number };
}

/**
 * Folds `text` for matching: NFKC per code point, combining marks dropped (Zalgo, stacked
 * diacritics), then every non-ASCII character whose confusable prototype is ASCII replaced by it
 * (Cyrillic "о" → "o"). ASCII stays as it is, so "rn" and "m" are not merged. Linear in the text.
 */
export function foldForMatching(text: string): Folded {
  // ASCII text folds to itself: no NFKC change, no confusable, no mixed-script word.
  if (RE_ASCII.test(text)) {
    const map = new Int32Array(text.length + 1);
    for (let i = 0; i <= text.length; i++) map[i] = i;
    return { text, map, confusableSpans: [], mixedScriptWords: [], compatibilityCount: 0 };
  }
  const out: string[] = [];
  const map: number[] = [];
  const confusableSpans: { start: number; end: number; from: string; to: string }[] = [];
  const mixedScriptWords: { start: number; end: number; scripts: string }[] = [];
  let compatibilityCount = 0;
  let compatStart = -1;
  let compatEnd = -1;
  let wordStart = -1;
  // Scripts seen in the current word, as bits of SCRIPT_BITS (a Set per word made GC the cost).
  let wordScripts = 0;
  const endWord = (end: number): void => {
    if (wordStart < 0) return;
    if ((wordScripts & 1) !== 0 && (wordScripts & ~1) !== 0 && mixedScriptWords.length < 64) {
      const names = SCRIPT_NAMES.filter((_, b) => (wordScripts & (1 << b)) !== 0);
      mixedScriptWords.push({ start: wordStart, end, scripts: names.sort().join('+') });
    }
    wordStart = -1;
    wordScripts = 0;
  };
  const t = confusables();
  let i = 0;
  while (i < text.length) {
    const cu = text.charCodeAt(i);
    if (cu < 0x80) {
      const isLetter = (cu >= 0x41 && cu <= 0x5a) || (cu >= 0x61 && cu <= 0x7a);
      if (isLetter) {
        if (wordStart < 0) wordStart = i;
        wordScripts |= 1;
      } else if (!(cu >= 0x30 && cu <= 0x39)) endWord(i);
      out.push(text[i] ?? '');
      map.push(i);
      i++;
      continue;
    }
    const cp = text.codePointAt(i) ?? cu;
    const size = cp > 0xffff ? 2 : 1;
    const ch = size === 2 ? text.slice(i, i + 2) : (text[i] ?? '');
    const nfkc = ch.normalize('NFKC');
    if (nfkc !== ch) {
      compatibilityCount++;
      if (compatStart < 0) compatStart = i;
      compatEnd = i + size;
    }
    for (const c of nfkc) {
      if (RE_MARK.test(c)) continue;
      const ccp = c.codePointAt(0) ?? 0;
      if (ccp < 0x80) {
        out.push(c);
        map.push(i);
        continue;
      }
      if (RE_LETTER.test(c)) {
        if (wordStart < 0) wordStart = i;
        const script = scriptOf(c);
        // Only scripts with Latin look-alikes make a mixed word suspicious ("GPT模型" is not).
        const bit = SCRIPT_NAMES.indexOf(script);
        if (bit >= 0) wordScripts |= 1 << bit;
      } else endWord(i);
      let proto = t.get(ccp);
      // UTS #39 maps I-like capitals to "l" (its prototype for the I/l/1 class); for matching
      // words, a capital reads as "I" ("Іgnore", Cyrillic І, must read "Ignore").
      if (proto === 'l' && RE_UPPER.test(c)) proto = 'I';
      if (proto !== undefined && /^[\x21-\x7e]+$/.test(proto)) {
        if (confusableSpans.length < 64)
          confusableSpans.push({ start: i, end: i + size, from: c, to: proto });
        for (let k = 0; k < proto.length; k++) {
          out.push(proto[k] ?? '');
          map.push(i);
        }
      } else {
        out.push(c);
        for (let k = 0; k < c.length; k++) map.push(i);
      }
    }
    i += size;
  }
  endWord(text.length);
  map.push(text.length);
  return {
    text: out.join(''),
    map: Int32Array.from(map),
    confusableSpans,
    mixedScriptWords,
    compatibilityCount,
    ...(compatStart < 0 ? {} : { compatibilitySpan: { start: compatStart, end: compatEnd } }),
  };
}

function scriptOf(c: string): string {
  if (RE_LATIN.test(c)) return 'Latin';
  for (const [name, re] of RE_SCRIPT_OF) if (re.test(c)) return name;
  return 'Other';
}
