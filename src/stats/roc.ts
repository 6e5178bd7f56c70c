import { itemAt } from '../core/item-at.js';

/**
 * ROC statistics for a score where higher means "more likely positive" (for membership inference:
 * more likely a training member). Pure functions on plain arrays; no I/O.
 */

/** Area under the ROC curve (Mann-Whitney U with ties counted as one half). */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  const all = [
    ...positives.map((s) => ({ s, p: true })),
    ...negatives.map((s) => ({ s, p: false })),
  ].sort((a, b) => a.s - b.s);
  // Average ranks over ties, then U = R_pos - n_pos (n_pos + 1) / 2.
  let rankSumPos = 0;
  let i = 0;
  while (i < all.length) {
    let j = i;
    while (j + 1 < all.length && itemAt(all, j + 1).s === itemAt(all, i).s) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (itemAt(all, k).p) rankSumPos += averageRank;
    i = j + 1;
  }
  const np = positives.length;
  const u = rankSumPos - (np * (np + 1)) / 2;
  return u / (np * negatives.length);
}

/**
 * True-positive rate at a false-positive rate of at most `fpr`: the threshold is the lowest one
 * that flags at most floor(fpr * n_neg) negatives (strictly above it), so with few negatives a
 * small `fpr` means "above every negative".
 */
export function tprAtFpr(
  positives: readonly number[],
  negatives: readonly number[],
  fpr: number,
): number {
  if (positives.length === 0 || negatives.length === 0) return Number.NaN;
  const sortedNeg = [...negatives].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * negatives.length + 1e-9);
  // Flag scores strictly above the (allowed+1)-th highest negative.
  const threshold = sortedNeg[allowed] ?? Number.NEGATIVE_INFINITY;
  let hits = 0;
  for (const s of positives) if (s > threshold) hits++;
  return hits / positives.length;
}

/** One point of a ROC curve. */
export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

/** The ROC curve, from (0,0) to (1,1), one point per distinct threshold. */
export function rocCurve(positives: readonly number[], negatives: readonly number[]): RocPoint[] {
  const all = [
    ...positives.map((s) => ({ s, p: true })),
    ...negatives.map((s) => ({ s, p: false })),
  ].sort((a, b) => b.s - a.s);
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < all.length; i++) {
    if (itemAt(all, i).p) tp++;
    else fp++;
    if (i + 1 === all.length || itemAt(all, i + 1).s !== itemAt(all, i).s) {
      points.push({
        fpr: negatives.length === 0 ? 0 : fp / negatives.length,
        tpr: positives.length === 0 ? 0 : tp / positives.length,
      });
    }
  }
  return points;
}
