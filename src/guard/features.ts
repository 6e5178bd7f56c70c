/** Hashed feature space size of the linear model (2^18 buckets). */
export const FEATURE_DIM = 1 << 18;

// Long texts are read as their first HEAD and last TAIL characters: attacks sit at the start or
// the end of a document (BIPIA inserts at the end or mid-text, and mid-text is in the head for
// documents up to HEAD), and the cost per record stays bounded whatever its size.
const HEAD = 6000;
const TAIL = 2000;

/** A sparse feature vector: bucket indices and their values, L2-normalised. */
export interface SparseVector {
  readonly idx: Int32Array;
  readonly val: Float32Array;
}

/**
 * Featurises folded text for the linear model: word unigrams and bigrams and character 3-, 4- and
 * 5-grams of the lowercased, whitespace-collapsed text, hashed (FNV-1a, a seed per kind) into
 * FEATURE_DIM buckets, with sublinear term frequency (1 + ln tf) and L2 normalisation.
 * Deterministic and linear in the text; bucket indices come in first-seen order.
 */
export function featurize(folded: string): SparseVector {
  const cut =
    folded.length > HEAD + TAIL ? `${folded.slice(0, HEAD)} ${folded.slice(-TAIL)}` : folded;
  const low = cut.toLowerCase();
  // " text " with every whitespace run collapsed to one space, as char codes: character n-grams
  // see word edges, and no regex pass over the text is needed.
  const s = new Uint16Array(low.length + 2);
  let n = 0;
  s[n++] = 0x20;
  for (let i = 0; i < low.length; i++) {
    const c = low.charCodeAt(i);
    if (isSpace(c)) {
      if (s[n - 1] !== 0x20) s[n++] = 0x20;
    } else s[n++] = c;
  }
  if (s[n - 1] !== 0x20) s[n++] = 0x20;
  touched.length = 0;
  const add = (h: number): void => {
    const k = h & (FEATURE_DIM - 1);
    if (counts[k] === 0) touched.push(k);
    counts[k] = (counts[k] ?? 0) + 1;
  };
  // Character 3-, 4- and 5-grams (FNV-1a over char codes, a seed per length).
  if (n > 2) {
    for (let i = 0; i < n; i++) {
      let h = 0x811c9dc5;
      for (let j = 0; j < 5 && i + j < n; j++) {
        h = Math.imul(h ^ (s[i + j] ?? 0), 0x01000193);
        if (j >= 2) add(Math.imul(h ^ (j * 0x9e3779b1), 0x01000193) >>> 0);
      }
    }
  }
  // Words and word bigrams.
  const words = low.match(/[\p{L}\p{N}']+/gu) ?? [];
  let prev = 0;
  for (let w = 0; w < words.length; w++) {
    const word = words[w] ?? '';
    let h = 0x2b1f3a5d;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
    add(h >>> 0);
    if (w > 0) add(Math.imul(h ^ Math.imul(prev, 0x5bd1e995), 0x01000193) >>> 0);
    prev = h;
  }
  const idx = Int32Array.from(touched);
  const val = new Float32Array(idx.length);
  let norm = 0;
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i] ?? 0;
    const v = 1 + Math.log(counts[k] ?? 1);
    counts[k] = 0; // leave the scratch table zeroed for the next call
    val[i] = v;
    norm += v * v;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < val.length; i++) val[i] = (val[i] ?? 0) * inv;
  return { idx, val };
}

// Scratch counts by bucket, shared by every call (featurize is synchronous, so no two calls
// overlap) and zeroed again before each call returns; `touched` lists the buckets in use.
const counts = new Uint32Array(FEATURE_DIM);
const touched: number[] = [];

/** The code units `\s` matches in a JavaScript RegExp. */
function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
