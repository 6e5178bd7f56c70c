import { analyze } from './analyze.js';
import { DEFAULT_GUARD_CONFIG } from './config.js';
import { FEATURE_DIM, featurize, type SparseVector } from './features.js';
import {
  lengthFeature,
  parseLinearModel,
  sigmoid,
  type LinearModel,
  type LinearModelJson,
} from './model.js';
import type { LabelledRow } from './dataset.js';

/** Hyperparameters of `trainLinearModel`; the defaults are what `npm run train:guard` uses. */
export interface TrainOptions {
  readonly seed: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly l2: number;
  /** Only the largest weights (by magnitude) are kept, so the artifact stays small. */
  readonly maxWeights: number;
  /** Largest false-positive rate on the tune split's benign rows, per mode. */
  readonly targetFpr: {
    readonly strict: number;
    readonly balanced: number;
    readonly permissive: number;
  };
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  seed: 16,
  epochs: 12,
  learningRate: 0.4,
  l2: 1e-6,
  maxWeights: 20000,
  targetFpr: { strict: 0.05, balanced: 0.02, permissive: 0.005 },
};

interface Prepared {
  readonly x: SparseVector;
  readonly extra: readonly SparseVector[];
  readonly y: number;
  readonly heuristic: number;
  readonly sanitizer: number;
  readonly len: number;
}

function prepare(rows: readonly LabelledRow[]): Prepared[] {
  return rows.map((r) => {
    const a = analyze(r.text, DEFAULT_GUARD_CONFIG);
    return {
      x: featurize(a.folded),
      extra: a.extraTexts.slice(0, 16).map((t) => featurize(t)),
      y: r.label === 'benign' ? 0 : 1,
      heuristic: a.heuristicScore,
      sanitizer: a.sanitizerScore,
      len: lengthFeature(a.folded.length),
    };
  });
}

/**
 * mulberry32: a small seeded PRNG, so the shuffle order (and so the weights) is reproducible. The
 * training and evaluation scripts draw their synthetic rows and bootstrap samples from it too.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function dot(w: Float64Array, bias: number, x: SparseVector): number {
  let z = bias;
  for (let i = 0; i < x.idx.length; i++) z += (w[x.idx[i] ?? 0] ?? 0) * (x.val[i] ?? 0);
  return z;
}

/**
 * Trains the hashed logistic regression on `train` (AdaGrad SGD, class-balanced, L2, seeded
 * shuffle), fits the combiner p = sigmoid(a·logit + b·heuristic + c) on `tune` by gradient
 * descent, and sets each mode's threshold at the lowest score whose false-positive rate on the
 * tune split's benign rows stays within the mode's target. Same rows and seed, same model.
 */
export function trainLinearModel(
  train: readonly LabelledRow[],
  tune: readonly LabelledRow[],
  provenance: Record<string, unknown>,
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): LinearModelJson {
  const tr = prepare(train);
  const pos = tr.filter((p) => p.y === 1).length;
  const neg = tr.length - pos;
  const cw = [tr.length / (2 * Math.max(1, neg)), tr.length / (2 * Math.max(1, pos))];
  const w = new Float64Array(FEATURE_DIM);
  const g2 = new Float64Array(FEATURE_DIM);
  let bias = 0;
  let gb = 0;
  const rand = mulberry32(options.seed);
  const order = tr.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
    for (const k of order) {
      const p = tr[k];
      if (p === undefined) continue;
      const err = (sigmoid(dot(w, bias, p.x)) - p.y) * (cw[p.y] ?? 1);
      for (let i = 0; i < p.x.idx.length; i++) {
        const f = p.x.idx[i] ?? 0;
        const g = err * (p.x.val[i] ?? 0) + options.l2 * (w[f] ?? 0);
        g2[f] = (g2[f] ?? 0) + g * g;
        w[f] = (w[f] ?? 0) - (options.learningRate * g) / Math.sqrt((g2[f] ?? 0) + 1e-8);
      }
      gb += err * err;
      bias -= (options.learningRate * err) / Math.sqrt(gb + 1e-8);
    }
  }
  // Keep the largest weights only: the rest move no score by much, and the JSON stays small.
  const order2 = [...w.keys()].filter((f) => (w[f] ?? 0) !== 0);
  order2.sort((p, q) => Math.abs(w[q] ?? 0) - Math.abs(w[p] ?? 0) || p - q);
  const keep = order2.slice(0, options.maxWeights).sort((p, q) => p - q);
  const index = keep;
  const weight = keep.map((f) => Number((w[f] ?? 0).toPrecision(4)));
  const draft: LinearModelJson = {
    format: 'torchward-guard-linear/1',
    dim: FEATURE_DIM,
    bias: Number(bias.toPrecision(6)),
    index,
    weight,
    combiner: { a: 1, b: 0, c: 0, d: 0 },
    thresholds: { strict: 0.5, balanced: 0.5, permissive: 0.5 },
    provenance,
  };
  const model = parseLinearModel(draft);
  const tu = prepare(tune);
  const logitOf = (p: Prepared): number => {
    let z = dot2(model, p.x);
    for (const e of p.extra) z = Math.max(z, dot2(model, e));
    return z;
  };
  const feats = tu.map((p) => ({
    l: logitOf(p),
    h: p.heuristic,
    s: p.sanitizer,
    n: p.len,
    y: p.y,
  }));
  // Combiner: logistic regression on (logit, heuristic) over the tune split.
  let a = 1;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let it = 0; it < 5000; it++) {
    let ga = 0;
    let gbb = 0;
    let gc = 0;
    let gd = 0;
    for (const f of feats) {
      const e = sigmoid(a * f.l + b * f.h + d * f.n + c) - f.y;
      ga += e * f.l;
      gbb += e * f.h;
      gc += e;
      gd += e * f.n;
    }
    const n = Math.max(1, feats.length);
    a -= (0.5 * ga) / n;
    b -= (0.5 * gbb) / n;
    c -= (0.5 * gc) / n;
    d -= (0.5 * gd) / n;
  }
  const combined = feats.map((f) => ({
    y: f.y,
    score: 1 - (1 - sigmoid(a * f.l + b * f.h + d * f.n + c)) * (1 - f.s),
  }));
  const negScores = combined
    .filter((s) => s.y === 0)
    .map((s) => s.score)
    .sort((x, y) => y - x);
  const thresholdFor = (fpr: number): number => {
    // The k-th highest benign score, with k = floor(fpr · n): at most that many benign rows are
    // at or above a threshold just over it.
    const k = Math.floor(fpr * negScores.length);
    const s = negScores[k] ?? 0;
    return Number(Math.min(0.999, s + 1e-6).toPrecision(6));
  };
  return {
    ...draft,
    combiner: {
      a: Number(a.toPrecision(6)),
      b: Number(b.toPrecision(6)),
      c: Number(c.toPrecision(6)),
      d: Number(d.toPrecision(6)),
    },
    thresholds: {
      strict: thresholdFor(options.targetFpr.strict),
      balanced: thresholdFor(options.targetFpr.balanced),
      permissive: thresholdFor(options.targetFpr.permissive),
    },
  };
}

function dot2(model: LinearModel, x: SparseVector): number {
  let z = model.bias;
  for (let i = 0; i < x.idx.length; i++)
    z += (model.weights.get(x.idx[i] ?? 0) ?? 0) * (x.val[i] ?? 0);
  return z;
}
