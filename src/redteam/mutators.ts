import { rot13 } from '../guard/rescan.js';
import type { SeededRandom } from '../stats/seeded-random.js';

/**
 * How a mutator treats the text: `surface` rewrites the wording around the canary (which it
 * must keep intact, so it runs before the canary is filled in); `encoding` and `smuggle`
 * transform the whole payload, canary included, after it is filled in.
 */
export type MutatorKind = 'surface' | 'encoding' | 'smuggle';

/** A deterministic text converter (PyRIT-style); chains apply in order. */
export interface Mutator {
  readonly id: string;
  readonly kind: MutatorKind;
  readonly description: string;
  /** `random` is the attempt's seeded stream: the same seed gives the same text. */
  readonly apply: (text: string, random: SeededRandom) => string;
  /** For encodings: how the prompt names the encoding so the model can undo it. */
  readonly decodeHint?: string;
}

const MORSE: Readonly<Record<string, string>> = {
  A: '.-',
  B: '-...',
  C: '-.-.',
  D: '-..',
  E: '.',
  F: '..-.',
  G: '--.',
  H: '....',
  I: '..',
  J: '.---',
  K: '-.-',
  L: '.-..',
  M: '--',
  N: '-.',
  O: '---',
  P: '.--.',
  Q: '--.-',
  R: '.-.',
  S: '...',
  T: '-',
  U: '..-',
  V: '...-',
  W: '.--',
  X: '-..-',
  Y: '-.--',
  Z: '--..',
  '0': '-----',
  '1': '.----',
  '2': '..---',
  '3': '...--',
  '4': '....-',
  '5': '.....',
  '6': '-....',
  '7': '--...',
  '8': '---..',
  '9': '----.',
  '.': '.-.-.-',
  ',': '--..--',
  '?': '..--..',
  '"': '.-..-.',
  "'": '.----.',
  ':': '---...',
  '-': '-....-',
  '(': '-.--.',
  ')': '-.--.-',
  '!': '-.-.--',
  '/': '-..-.',
  '=': '-...-',
  '+': '.-.-.',
};

// Leetspeak of the letters only. Canary alphabets avoid these letters (canary.ts), so a leet
// payload still carries the canary unchanged and an obeying model can print it.
const LEET: Readonly<Record<string, string>> = {
  a: '4',
  e: '3',
  i: '1',
  o: '0',
  s: '5',
  t: '7',
  b: '8',
  g: '9',
  l: '1',
};

// Cyrillic and Greek look-alikes of Latin letters (UTS #39 confusables of these letters).
const HOMOGLYPHS: Readonly<Record<string, string>> = {
  a: '\u0430',
  c: '\u0441',
  e: '\u0435',
  i: '\u0456',
  o: '\u043e',
  p: '\u0440',
  x: '\u0445',
  y: '\u0443',
  A: '\u0391',
  B: '\u0392',
  E: '\u0395',
  H: '\u0397',
  K: '\u039a',
  M: '\u039c',
  N: '\u039d',
  O: '\u039f',
  P: '\u03a1',
  T: '\u03a4',
  X: '\u03a7',
};

function bytesOf(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

const MUTATORS: readonly Mutator[] = [
  {
    id: 'base64',
    kind: 'encoding',
    description: 'Base64 of the UTF-8 payload',
    decodeHint: 'base64',
    apply: (t) => Buffer.from(t, 'utf8').toString('base64'),
  },
  {
    id: 'hex',
    kind: 'encoding',
    description: 'hexadecimal of the UTF-8 payload',
    decodeHint: 'hex (UTF-8 bytes)',
    apply: (t) => Buffer.from(t, 'utf8').toString('hex'),
  },
  {
    id: 'rot13',
    kind: 'encoding',
    description: 'ROT13 of the Latin letters',
    decodeHint: 'ROT13',
    apply: (t) => rot13(t),
  },
  {
    id: 'morse',
    kind: 'encoding',
    description: 'International Morse code, letters split by spaces and words by " / "',
    decodeHint: 'Morse code',
    apply: (t) =>
      t
        .toUpperCase()
        .split(/\s+/)
        .map((w) =>
          Array.from(w)
            .map((c) => MORSE[c])
            .filter((c) => c !== undefined)
            .join(' '),
        )
        .join(' / '),
  },
  {
    id: 'leet',
    kind: 'encoding',
    description: 'leetspeak (a→4, e→3, i→1, o→0, s→5, t→7 …)',
    decodeHint: 'leetspeak',
    apply: (t) => t.replace(/[aeiostbgl]/gi, (c) => LEET[c.toLowerCase()] ?? c),
  },
  {
    id: 'unicode-tags',
    kind: 'smuggle',
    description: 'the payload as invisible Unicode tag characters (U+E0000 + ASCII)',
    apply: (t) =>
      Array.from(t)
        .map((c) => {
          const cp = c.codePointAt(0) ?? 0;
          return cp >= 0x20 && cp < 0x7f ? String.fromCodePoint(0xe0000 + cp) : '';
        })
        .join(''),
  },
  {
    id: 'variation-selectors',
    kind: 'smuggle',
    description: 'the payload bytes as variation selectors after an emoji (VS1-256)',
    apply: (t) =>
      '\u{1f600}' +
      [...bytesOf(t)]
        .map((b) => String.fromCodePoint(b < 16 ? 0xfe00 + b : 0xe0100 + b - 16))
        .join(''),
  },
  {
    id: 'sneaky-bits',
    kind: 'smuggle',
    description: 'the payload bits as invisible times (0) and invisible plus (1), MSB first',
    apply: (t) =>
      [...bytesOf(t)]
        .map((b) =>
          Array.from({ length: 8 }, (_, k) => ((b >> (7 - k)) & 1 ? '\u2064' : '\u2062')).join(''),
        )
        .join(''),
  },
  {
    id: 'zero-width',
    kind: 'smuggle',
    description: 'a zero-width space between every two letters (splits trigger words)',
    apply: (t) => Array.from(t).join('\u200b'),
  },
  {
    id: 'bidi',
    kind: 'smuggle',
    description:
      'the payload reversed inside RIGHT-TO-LEFT OVERRIDE … POP, so it displays forwards',
    apply: (t) => `\u202e${Array.from(t).reverse().join('')}\u202c`,
  },
  {
    id: 'homoglyph',
    kind: 'smuggle',
    description: 'Latin letters swapped for Cyrillic/Greek look-alikes (about half of them)',
    apply: (t, random) =>
      Array.from(t)
        .map((c) => (HOMOGLYPHS[c] !== undefined && random.below(2) === 0 ? HOMOGLYPHS[c] : c))
        .join(''),
  },
  {
    id: 'casing',
    kind: 'surface',
    description: 'random words upper-cased',
    apply: (t, random) =>
      t.replace(/[A-Za-z]+/g, (w) => (random.below(3) === 0 ? w.toUpperCase() : w)),
  },
  {
    id: 'spacing',
    kind: 'surface',
    description: 'random spaces doubled and a line break added',
    apply: (t, random) => t.replace(/ /g, () => (random.below(4) === 0 ? '  ' : ' ')) + '\n',
  },
];

const BY_ID = new Map(MUTATORS.map((m) => [m.id, m]));

/** Every mutator, in a fixed order. */
export function allMutators(): readonly Mutator[] {
  return MUTATORS;
}

/** The mutator with this id; throws on an unknown id (a plan names only registered ones). */
export function mutator(id: string): Mutator {
  const m = BY_ID.get(id);
  if (m === undefined) throw new Error(`unknown mutator '${id}'`);
  return m;
}

/** Applies a chain of mutators in order. */
export function applyChain(text: string, chain: readonly string[], random: SeededRandom): string {
  return chain.reduce((t, id) => mutator(id).apply(t, random), text);
}
