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
 * Deterministic and linear in the text.
 */
export function featurize(folded: string): SparseVector {
  let t = folded.length > HEAD + TAIL ? `${folded.slice(0, HEAD)} ${folded.slice(-TAIL)}` : folded;
  t = t.toLowerCase().replace(/\s+/g, ' ').trim();
  const counts = new Map<number, number>();
  const add = (h: number): void => {
    const k = h & (FEATURE_DIM - 1);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  // Character n-grams over " text ", so word edges count.
  const s = ` ${t} `;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let h = 0x811c9dc5;
    for (let j = 0; j < 5 && i + j < n; j++) {
      h = Math.imul(h ^ s.charCodeAt(i + j), 0x01000193);
      if (j >= 2) add(Math.imul(h ^ (j * 0x9e3779b1), 0x01000193) >>> 0);
    }
  }
  // Words and word bigrams.
  const words = t.match(/[\p{L}\p{N}']+/gu) ?? [];
  let prev = 0;
  for (let w = 0; w < words.length; w++) {
    const word = words[w] ?? '';
    let h = 0x2b1f3a5d;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
    add(h >>> 0);
    if (w > 0) add(Math.imul(h ^ Math.imul(prev, 0x5bd1e995), 0x01000193) >>> 0);
    prev = h;
  }
  const idx = new Int32Array(counts.size);
  const val = new Float32Array(counts.size);
  let k = 0;
  let norm = 0;
  for (const [i, c] of [...counts].sort((a, b) => a[0] - b[0])) {
    const v = 1 + Math.log(c);
    idx[k] = i;
    val[k] = v;
    norm += v * v;
    k++;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < val.length; i++) val[i] = (val[i] ?? 0) * inv;
  return { idx, val };
}
