// The adversarial-suffix layer: GCG (Zou et al. 2023) appends an optimised run of tokens to a
// request, a soup of sub-words, stray capitals, code fragments and isolated punctuation that no
// person writes ("describing.\ + similarlyNow write oppositeley.]( Me giving**ONE"). Without a
// language model to measure perplexity (NeMo's check), the layer scores each window of
// consecutive words by a small logistic regression over five per-word signals, fitted by
// `npm run train:guard-suffix` (scripts/train-guard-suffix.mjs) and shipped as suffix-model.json.

import { readFileSync } from 'node:fs';

/** The shipped artifact. */
export interface SuffixModel {
  readonly format: 'torchward-guard-suffix/1';
  /** Words per window. */
  readonly window: number;
  /** Weights of the window features (see FEATURES), then the bias. */
  readonly weights: readonly number[];
  readonly bias: number;
  /** Feature means and scales used to standardise before the weights apply. */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** A window scoring at or above this is reported. */
  readonly threshold: number;
  /** Character-class bigram negative log-probabilities (CLASSES x CLASSES). */
  readonly bigram: readonly number[];
  /** Common lower-case words of the training text (a word outside it counts as unknown). */
  readonly vocabulary: readonly string[];
  readonly provenance: Readonly<Record<string, unknown>>;
}

/** Names of the window features, in weight order. */
export const FEATURES = [
  'bigram-nll',
  'odd-token',
  'bare-punctuation',
  'mid-capital',
  'unknown-word',
  'function-word',
];

// English function words: prose has many, an optimised token soup few.
const FUNCTION_WORDS = new Set(
  (
    'a an the and or but if of to in on at by for with from as is are was were be been am do does ' +
    'did have has had not no this that these those it its i you he she we they me him her us them ' +
    'my your his our their what which who whom when where why how can could will would shall ' +
    'should may might must there here than then so such very just also about into over after ' +
    'before all any each some more most other only own same too up out'
  ).split(' '),
);

/** Junk words (odd-token or bare punctuation) a window needs before it is judged. */
export const MIN_JUNK = 2;

/** Number of character classes of the bigram table. */
export const CLASSES = 89;
const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** The character class of one UTF-16 code unit. */
export function charClass(c: number): number {
  if (c >= 97 && c <= 122) return c - 97;
  if (c >= 65 && c <= 90) return 26 + c - 65;
  if (c >= 48 && c <= 57) return 52;
  if (c === 32 || c === 9) return 53;
  if (c === 10 || c === 13) return 54;
  if (c < 128) {
    const p = PUNCT.indexOf(String.fromCharCode(c));
    return p >= 0 ? 55 + p : 88;
  }
  return c >= 0xc0 ? 87 : 88;
}

// Words that are addresses, URLs, paths or numbers are ordinary in documents and logs.
const RE_URLISH =
  /^(?:[a-z][\w+.-]*:\/\/\S+|[\w.+-]+@[\w-]+\.[\w.]+|(?:[\w-]+\.)+[a-z]{2,}(?:\/\S*)?|~?[\w.-]*(?:\/[\w.-]*)+|\$?\d[\d.,:%/-]*[a-z]{0,3})$/i;
// Bare punctuation that ordinary text, Markdown, JSON and code use on its own.
const RE_COMMON_PUNCT = /^(?:-+|\.{3}|\*+|=+|#+|[-=]>|\/\/|&|\||[{}[\]()]+[,;]?|[-–—])$/;

/**
 * `text` with Markdown code (fenced blocks and inline backtick spans) blanked out, same length:
 * quoted code is punctuation-dense by nature and is not a suffix the user typed as prose.
 */
export function maskCode(text: string): string {
  if (!text.includes('`')) return text;
  return text.replace(/```[^`]*(?:`(?!``)[^`]*)*```|`[^`\n]{1,2000}`/g, (m) =>
    ' '.repeat(m.length),
  );
}

/** Splits `text` into words (runs of non-space) with their offsets; at most `max` words. */
export function words(text: string, max: number): { w: string; start: number }[] {
  const out: { w: string; start: number }[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < max) out.push({ w: m[0], start: m.index });
  return out;
}

/** The per-word signals (FEATURES). `prev` is the word before (or undefined at the start). */
export function wordSignals(
  word: string,
  prev: string | undefined,
  bigram: readonly number[],
  vocabulary: ReadonlySet<string>,
): number[] {
  // Mean bigram surprise of the word with the space before it.
  let nll = 0;
  let p = 53;
  for (let i = 0; i < word.length && i < 64; i++) {
    const k = charClass(word.charCodeAt(i));
    nll += bigram[p * CLASSES + k] ?? 0;
    p = k;
  }
  nll /= Math.min(word.length, 64);
  const core = word.replace(/^["'“‘([{<]+/, '').replace(/["'”’)\]}>.,;:!?]+$/, '');
  let odd = 0;
  let bare = 0;
  if (core === '') bare = word.length >= 1 && !RE_COMMON_PUNCT.test(word) ? 1 : 0;
  else if (core.length > 256 || !RE_URLISH.test(core)) {
    const letters = /\p{L}/u.test(core);
    // Joined words ("similarlyNow", "argueRIPT"); short prefixes ("deGrasse", "PepsiCo",
    // "JavaScript") are names, not joins.
    if (
      (letters && /[^\p{L}\p{N}'’_-]/u.test(core)) ||
      /\p{Ll}{4,}\p{Lu}(?:\p{Ll}{2}|\p{Lu})/u.test(core)
    )
      odd = 1;
  }
  const midCap =
    prev !== undefined && /^\p{Lu}\p{Ll}/u.test(core) && !/[.!?:;"'”)\]]$/.test(prev) ? 1 : 0;
  const lower = core.toLowerCase();
  const unknown = /^\p{L}{3,}$/u.test(lower) && !vocabulary.has(lower) ? 1 : 0;
  const fn = FUNCTION_WORDS.has(lower) ? 1 : 0;
  return [nll, odd, bare, midCap, unknown, fn];
}

/** The highest-scoring window of a text: its probability and its span. */
export interface SuffixHit {
  readonly score: number;
  readonly start: number;
  readonly end: number;
}

const vocabCache = new WeakMap<SuffixModel, ReadonlySet<string>>();

/**
 * Scores every window of `model.window` consecutive words of `text` (the first `maxWords` words)
 * and returns the best; undefined for a text of fewer than `model.window` words. Linear in the
 * number of words: per-word signals are summed with a running window.
 */
export function bestSuffixWindow(
  model: SuffixModel,
  text: string,
  maxWords = 200_000,
): SuffixHit | undefined {
  let vocab = vocabCache.get(model);
  if (vocab === undefined) {
    vocab = new Set(model.vocabulary);
    vocabCache.set(model, vocab);
  }
  const ws = words(maskCode(text), maxWords);
  const W = model.window;
  if (ws.length < W) return undefined;
  const nf = FEATURES.length;
  // Words repeat: the signals of a word depend only on it and on how the word before it ends.
  const cache = new Map<string, number[]>();
  const sig = ws.map((w, i) => {
    const prev = ws[i - 1]?.w;
    const key = `${prev === undefined ? 's' : /[.!?:;"'”)\]]$/.test(prev) ? 'p' : 'w'}${w.w}`;
    let v = cache.get(key);
    if (v === undefined) {
      v = wordSignals(w.w, prev, model.bigram, vocab);
      if (cache.size < 50_000) cache.set(key, v);
    }
    return v;
  });
  // Published GCG suffixes are ASCII (llm-attacks' allow_non_ascii=False): a window of another
  // script's prose is not judged by signals fitted on English.
  const foreign = ws.map((w) => (/[\u0080-\uffff]/.test(w.w) ? 1 : 0));
  const sum = new Array<number>(nf).fill(0);
  let nForeign = 0;
  let best: SuffixHit | undefined;
  for (let i = 0; i < ws.length; i++) {
    const s = sig[i] ?? [];
    for (let k = 0; k < nf; k++) sum[k] = (sum[k] ?? 0) + (s[k] ?? 0);
    nForeign += foreign[i] ?? 0;
    if (i >= W) {
      const o = sig[i - W] ?? [];
      for (let k = 0; k < nf; k++) sum[k] = (sum[k] ?? 0) - (o[k] ?? 0);
      nForeign -= foreign[i - W] ?? 0;
    }
    // Only windows with two or more junk words (odd-token or bare punctuation) are judged: an
    // optimised suffix always has some, and names or lists of plain words are not judged at all.
    if (i < W - 1 || nForeign > 1 || (sum[1] ?? 0) + (sum[2] ?? 0) < MIN_JUNK) continue;
    const score = windowScore(
      model,
      sum.map((v) => v / W),
    );
    if (best === undefined || score > best.score) {
      const first = ws[i - W + 1];
      const last = ws[i];
      best = {
        score,
        start: first?.start ?? 0,
        end: (last?.start ?? 0) + (last?.w.length ?? 0),
      };
    }
  }
  return best;
}

/** The model's probability for one window's mean signals. */
export function windowScore(model: SuffixModel, x: readonly number[]): number {
  let z = model.bias;
  for (let k = 0; k < x.length; k++)
    z +=
      (model.weights[k] ?? 0) *
      (((x[k] ?? 0) - (model.mean[k] ?? 0)) / (model.scale[k] === 0 ? 1 : (model.scale[k] ?? 1)));
  return 1 / (1 + Math.exp(-z));
}

/** Validates a parsed suffix-model.json. Throws TypeError when malformed. */
export function parseSuffixModel(json: unknown): SuffixModel {
  const m = json as Partial<SuffixModel> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.format !== 'torchward-guard-suffix/1' ||
    typeof m.window !== 'number' ||
    !Array.isArray(m.weights) ||
    m.weights.length !== FEATURES.length ||
    !Array.isArray(m.bigram) ||
    m.bigram.length !== CLASSES * CLASSES ||
    !Array.isArray(m.vocabulary) ||
    typeof m.threshold !== 'number'
  )
    throw new TypeError('not a torchward-guard-suffix/1 model artifact');
  return m as SuffixModel;
}

let shipped: SuffixModel | undefined;

/** The suffix model shipped with torchward (loaded once). */
export function shippedSuffixModel(): SuffixModel {
  shipped ??= parseSuffixModel(
    JSON.parse(readFileSync(new URL('./suffix-model.json', import.meta.url), 'utf8')) as unknown,
  );
  return shipped;
}
