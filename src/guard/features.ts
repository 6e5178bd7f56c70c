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
  // Bucket ids are collected, sorted and run-length counted: faster than a Map for a few
  // thousand ids, and the output comes out in index order.
  let ids = new Int32Array(t.length * 3 + 64);
  let nIds = 0;
  const add = (h: number): void => {
    if (nIds === ids.length) {
      const grown = new Int32Array(ids.length * 2);
      grown.set(ids);
      ids = grown;
    }
    ids[nIds++] = h & (FEATURE_DIM - 1);
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
  const sorted = ids.subarray(0, nIds).sort();
  const idxAll = new Int32Array(nIds);
  const valAll = new Float32Array(nIds);
  let k = 0;
  let norm = 0;
  for (let i = 0; i < nIds;) {
    const id = sorted[i] ?? 0;
    let j = i + 1;
    while (j < nIds && sorted[j] === id) j++;
    const v = 1 + Math.log(j - i);
    idxAll[k] = id;
    valAll[k] = v;
    norm += v * v;
    k++;
    i = j;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const val = valAll.slice(0, k);
  for (let i = 0; i < k; i++) val[i] = (val[i] ?? 0) * inv;
  return { idx: idxAll.slice(0, k), val };
}
