// The adversarial-suffix layer: GCG (Zou et al. 2023) appends an optimised run of tokens to a
// request, a soup of sub-words, stray capitals, code fragments and isolated punctuation that no
// person writes ("describing.\ + similarlyNow write oppositeley.]( Me giving**ONE"). Without a
// neural language model to measure perplexity (NeMo's check), the layer has two scorers, each a
// small logistic regression fitted by `npm run train:guard-suffix`
// (scripts/train-guard-suffix.mjs) and shipped in suffix-model.json: every window of consecutive
// words with junk in it (per-word shape signals), and the tail of the text (the same signals plus
// the surprisal of a character n-gram model of ordinary text, against the text before the tail:
// NeMo's prefix/suffix perplexity heuristic with a small offline model).

import { readFileSync } from 'node:fs';
import { CharLm, type CharLmArtifact } from './charlm.js';

/** The shipped artifact. */
export interface SuffixModel {
  readonly format: 'torchward-guard-suffix/3';
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
  /** The tail scorer: weights over TAIL_FEATURES and its own threshold. */
  readonly tail: TailModel;
  /** The character n-gram model of ordinary text (counts). */
  readonly lm: CharLmArtifact;
  readonly provenance: Readonly<Record<string, unknown>>;
}

/** The tail scorer's logistic regression. */
export interface TailModel {
  /** Words in the tail. */
  readonly words: number;
  readonly weights: readonly number[];
  readonly bias: number;
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** A tail scoring at or above this is reported. */
  readonly threshold: number;
}

/** Words before the tail whose surprisal is the head's reference (bounded work on long texts). */
export const HEAD_WORDS = 64;
/** Bits per character a word must exceed to count as surprising. */
const SURPRISING_BITS = 5;
/** The head reference of a text that has no words before its tail (typical prose, in bits). */
const NO_HEAD_BITS = 2.5;
/** Characters at the end of a text the tail scorer reads. */
const TAIL_CHARS = 16_384;

/** Names of the window features, in weight order. */
export const FEATURES = [
  'bigram-nll',
  'odd-token',
  'bare-punctuation',
  'mid-capital',
  'unknown-word',
  'function-word',
];

/** Names of the tail features, in weight order: FEATURES' means, then the language-model ones. */
export const TAIL_FEATURES = [
  ...FEATURES,
  'lm-bits-per-char',
  'lm-surprising-word',
  'lm-tail-minus-head',
  'short-text',
  'line-break',
  'punctuation-density',
  'unbalanced-brackets',
  'shape-entropy',
  'lm-max-word-bits',
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

// Words that are addresses, URLs, paths, numbers, timestamps or key=value fields are ordinary in
// documents and logs.
const RE_URLISH =
  /^(?:[a-z][\w+.-]*:\/\/\S+|[a-z_][\w.-]{0,63}=\S*|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?|[\w.+-]+@[\w-]+\.[\w.]+|(?:[\w-]+\.)+[a-z]{2,}(?:\/\S*)?|~?[\w.-]*(?:\/[\w.-]*)+|\$?\d[\d.,:%/-]*[a-z]{0,3})$/i;
// Bare punctuation that ordinary text, Markdown, JSON and code use on its own.
const RE_COMMON_PUNCT = /^(?:-+|\.{3}|\*+|=+|#+|[-=]>|\/\/|&|\||[{}[\]()]+[,;]?|[-–—])$/;

/**
 * `text` with Markdown code (fenced blocks and inline backtick spans) blanked out, same length:
 * quoted code is punctuation-dense by nature and is not a suffix the user typed as prose.
 */
export function maskCode(text: string): string {
  if (!text.includes('`')) return text;
  // An inline span may wrap lines (a JSON object quoted in backticks), not paragraphs.
  return text.replace(/```[^`]*(?:`(?!``)[^`]*)*```|`(?:[^`\n]|\n(?!\s*\n)){1,2000}`/g, (m) =>
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

const lmCache = new WeakMap<SuffixModel, CharLm>();

/** The loaded character model of `model` (built once per model). */
export function suffixLm(model: SuffixModel): CharLm {
  let lm = lmCache.get(model);
  if (lm === undefined) {
    lm = new CharLm(model.lm);
    lmCache.set(model, lm);
  }
  return lm;
}

/** Bits per character of one word (with the spaces around it) under the character model. */
export function wordBits(lm: CharLm, word: string): number {
  // Words recur across prompts ("the", "and"): remembered per model, the cache bounded.
  let cache = bitsCache.get(lm);
  if (cache === undefined) {
    cache = new Map();
    bitsCache.set(lm, cache);
  }
  const known = cache.get(word);
  if (known !== undefined) return known;
  const s = lm.surprisal(`${word.slice(0, 255)} `, ' ');
  const bits = s.n === 0 ? 0 : s.bits / s.n;
  if (cache.size >= 20_000) cache.clear();
  if (word.length <= 64) cache.set(word, bits);
  return bits;
}

const bitsCache = new WeakMap<CharLm, Map<string, number>>();

/**
 * The tail features of `text` (TAIL_FEATURES), and the tail's span; undefined for a text without
 * words or whose tail has more than one non-ASCII word. Reads at most the last TAIL_CHARS characters and HEAD_WORDS + tail words.
 */
export function tailFeatures(
  model: SuffixModel,
  text: string,
): { x: number[]; start: number; end: number } | undefined {
  let vocab = vocabCache.get(model);
  if (vocab === undefined) {
    vocab = new Set(model.vocabulary);
    vocabCache.set(model, vocab);
  }
  const lm = suffixLm(model);
  const masked = maskCode(text);
  const from = Math.max(0, masked.length - TAIL_CHARS);
  let ws = words(masked.slice(from), 1_000_000);
  // A word cut by the slice is not a word of the text.
  if (from > 0 && !/\s/.test(masked[from - 1] ?? ' ')) ws = ws.slice(1);
  const T = model.tail.words;
  ws = ws.slice(-(T + HEAD_WORDS));
  if (ws.length === 0) return undefined;
  const s = Math.max(0, ws.length - T);
  // Published GCG suffixes are ASCII (see bestSuffixWindow): a tail in another script is not
  // judged by a model of English-like text, where every non-ASCII character is rare.
  let foreign = 0;
  let foreignChars = 0;
  let chars = 0;
  for (let j = s; j < ws.length; j++) {
    const w = ws[j]?.w ?? '';
    if (/[\u0080-\uffff]/.test(w)) foreign++;
    chars += w.length;
    foreignChars += w.length - w.replace(/[\u0080-\uffff]/g, '').length;
  }
  // Scripts written without spaces (Chinese, Japanese, Thai) make a whole sentence one word:
  // the share of non-ASCII characters counts as well.
  if (foreign > 1 || foreignChars > 0.25 * chars) return undefined;
  const nb = FEATURES.length;
  const x = new Array<number>(TAIL_FEATURES.length).fill(0);
  const n = ws.length - s;
  for (let j = s; j < ws.length; j++) {
    const w = ws[j]?.w ?? '';
    const sig = wordSignals(w, ws[j - 1]?.w, model.bigram, vocab);
    for (let k = 0; k < nb; k++) x[k] = (x[k] ?? 0) + (sig[k] ?? 0) / n;
    const b = wordBits(lm, w);
    x[nb] = (x[nb] ?? 0) + b / n;
    x[nb + 1] = (x[nb + 1] ?? 0) + (b > SURPRISING_BITS ? 1 : 0) / n;
  }
  let head = 0;
  for (let j = 0; j < s; j++) head += wordBits(lm, ws[j]?.w ?? '');
  head = s > 0 ? head / s : NO_HEAD_BITS;
  x[nb + 2] = (x[nb] ?? 0) - head;
  x[nb + 3] = n < T ? 1 : 0;
  // Code, logs and lists break lines between their words; a suffix is typed on the request's line.
  const region = masked.slice(from);
  let breaks = 0;
  for (let j = s + 1; j < ws.length; j++) {
    const prev = ws[j - 1];
    const cur = ws[j];
    if (prev !== undefined && cur !== undefined)
      if (region.slice(prev.start + prev.w.length, cur.start).includes('\n')) breaks++;
  }
  x[nb + 4] = breaks / n;
  const first = ws[s];
  const last = ws[ws.length - 1];
  const tail = region.slice(first?.start ?? 0, (last?.start ?? 0) + (last?.w.length ?? 0));
  const shape = tailShape(
    tail,
    ws.slice(s).map((w) => w.w),
  );
  x[nb + 5] = shape.punctuation;
  x[nb + 6] = shape.unbalanced / n;
  x[nb + 7] = shape.entropy;
  let maxBits = 0;
  for (let j = s; j < ws.length; j++) maxBits = Math.max(maxBits, wordBits(lm, ws[j]?.w ?? ''));
  x[nb + 8] = maxBits;
  return {
    x,
    start: from + (first?.start ?? 0),
    end: from + (last?.start ?? 0) + (last?.w.length ?? 0),
  };
}

/**
 * Surface statistics of a tail: the share of its non-space characters that are ASCII punctuation,
 * brackets and quotes left unpaired (an optimised suffix opens what it never closes), and the
 * entropy in bits of its word shapes (case, digit and punctuation runs: prose repeats a few).
 */
export function tailShape(
  tail: string,
  tailWords: readonly string[],
): { punctuation: number; unbalanced: number; entropy: number } {
  let punct = 0;
  let visible = 0;
  let unbalanced = 0;
  let quotes = 0;
  let ticks = 0;
  const stack: number[] = [];
  for (let i = 0; i < tail.length; i++) {
    const c = tail.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    visible++;
    if (
      c >= 33 &&
      c <= 126 &&
      !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))
    )
      punct++;
    if (c === 40 || c === 91 || c === 123) stack.push(c);
    else if (c === 41 || c === 93 || c === 125) {
      const open = c === 41 ? 40 : c - 2;
      if (stack.length > 0 && stack[stack.length - 1] === open) stack.pop();
      else unbalanced++;
    } else if (c === 34) quotes++;
    else if (c === 96) ticks++;
  }
  unbalanced += stack.length + (quotes % 2) + (ticks % 2);
  const shapes = new Map<string, number>();
  for (const w of tailWords) {
    const k = w
      .slice(0, 64)
      .replace(/\p{Lu}+/gu, 'X')
      .replace(/\p{Ll}+/gu, 'x')
      .replace(/\p{N}+/gu, 'd')
      .replace(/[^Xxd]+/g, 'p');
    shapes.set(k, (shapes.get(k) ?? 0) + 1);
  }
  let entropy = 0;
  for (const v of shapes.values()) {
    const q = v / tailWords.length;
    entropy -= q * Math.log2(q);
  }
  return { punctuation: visible === 0 ? 0 : punct / visible, unbalanced, entropy };
}

/** The tail scorer's probability for `text` and the tail's span; undefined without words. */
export function tailScore(model: SuffixModel, text: string): SuffixHit | undefined {
  const f = tailFeatures(model, text);
  if (f === undefined || isJsonDocument(text)) return undefined;
  return { score: linearScore(model.tail, f.x), start: f.start, end: f.end };
}

/**
 * Whether `text` is a JSON object or array: structured data (a config, an API payload) is dense
 * in quotes and braces by nature and is not prose with a suffix typed after it.
 */
function isJsonDocument(text: string): boolean {
  const t = text.trim();
  if (!/^[[{]/.test(t) || !/[\]}]$/.test(t)) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** A standardised logistic regression's probability. */
export function linearScore(
  m: Pick<TailModel, 'weights' | 'bias' | 'mean' | 'scale'>,
  x: readonly number[],
): number {
  let z = m.bias;
  for (let k = 0; k < x.length; k++)
    z +=
      (m.weights[k] ?? 0) *
      (((x[k] ?? 0) - (m.mean[k] ?? 0)) / (m.scale[k] === 0 ? 1 : (m.scale[k] ?? 1)));
  return 1 / (1 + Math.exp(-z));
}

/** The model's probability for one window's mean signals. */
export function windowScore(model: SuffixModel, x: readonly number[]): number {
  return linearScore(model, x);
}

/** Validates a parsed suffix-model.json. Throws TypeError when malformed. */
export function parseSuffixModel(json: unknown): SuffixModel {
  const m = json as Partial<SuffixModel> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.format !== 'torchward-guard-suffix/3' ||
    typeof m.window !== 'number' ||
    !Array.isArray(m.weights) ||
    m.weights.length !== FEATURES.length ||
    !Array.isArray(m.bigram) ||
    m.bigram.length !== CLASSES * CLASSES ||
    !Array.isArray(m.vocabulary) ||
    typeof m.threshold !== 'number' ||
    !Array.isArray((m.tail as Partial<TailModel> | null | undefined)?.weights) ||
    m.tail?.weights.length !== TAIL_FEATURES.length ||
    !Array.isArray((m.lm as Partial<CharLmArtifact> | null | undefined)?.tables)
  )
    throw new TypeError('not a torchward-guard-suffix/3 model artifact');
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
