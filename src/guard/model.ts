import { readFileSync } from 'node:fs';
import { FEATURE_DIM, type SparseVector } from './features.js';

/**
 * The shipped linear model (`linear-model.json`, written by `npm run train:guard`): a hashed
 * logistic regression, the combiner that calibrates its logit with the heuristic score, and the
 * threshold of each mode, all fitted on splits of data/guard (see `provenance`).
 */
export interface LinearModel {
  readonly format: 'torchward-guard-linear/1';
  readonly dim: number;
  readonly bias: number;
  /** Weights by bucket index: only buckets with a non-zero weight are stored. */
  readonly weights: ReadonlyMap<number, number>;
  /**
   * p = sigmoid(a * modelLogit + b * heuristicScore + d * lengthFeature(text) + c), fitted on the
   * tune split.
   */
  readonly combiner: {
    readonly a: number;
    readonly b: number;
    readonly c: number;
    readonly d: number;
  };
  readonly thresholds: {
    readonly strict: number;
    readonly balanced: number;
    readonly permissive: number;
  };
  readonly provenance: Readonly<Record<string, unknown>>;
}

/** The JSON shape of the artifact. */
export interface LinearModelJson {
  format: 'torchward-guard-linear/1';
  dim: number;
  bias: number;
  index: number[];
  weight: number[];
  combiner: { a: number; b: number; c: number; d: number };
  thresholds: { strict: number; balanced: number; permissive: number };
  provenance: Record<string, unknown>;
}

/** Validates and loads a model artifact's JSON. Throws TypeError on a malformed artifact. */
export function parseLinearModel(json: unknown): LinearModel {
  const m = json as Partial<LinearModelJson> | null;
  if (
    m === null ||
    typeof m !== 'object' ||
    m.format !== 'torchward-guard-linear/1' ||
    m.dim !== FEATURE_DIM ||
    typeof m.bias !== 'number' ||
    !Array.isArray(m.index) ||
    !Array.isArray(m.weight) ||
    m.index.length !== m.weight.length ||
    typeof m.combiner !== 'object' ||
    typeof m.thresholds !== 'object'
  ) {
    throw new TypeError('not a torchward-guard-linear/1 model artifact');
  }
  const weights = new Map<number, number>();
  for (let i = 0; i < m.index.length; i++) {
    const k = m.index[i];
    const w = m.weight[i];
    if (typeof k !== 'number' || typeof w !== 'number' || k < 0 || k >= FEATURE_DIM)
      throw new TypeError('model artifact has a bad weight entry');
    weights.set(k, w);
  }
  return {
    format: m.format,
    dim: m.dim,
    bias: m.bias,
    weights,
    combiner: m.combiner,
    thresholds: m.thresholds,
    provenance: m.provenance ?? {},
  };
}

let shipped: LinearModel | undefined;

/** The model shipped with torchward (loaded once). */
export function shippedModel(): LinearModel {
  shipped ??= parseLinearModel(
    JSON.parse(readFileSync(new URL('./linear-model.json', import.meta.url), 'utf8')) as unknown,
  );
  return shipped;
}

// Dense weight tables by model: an array index is several times faster than a Map lookup, and a
// long prompt has thousands of features (2 MiB per model, built once).
const denseWeights = new WeakMap<LinearModel, Float64Array>();

function dense(model: LinearModel): Float64Array {
  let d = denseWeights.get(model);
  if (d === undefined) {
    d = new Float64Array(FEATURE_DIM);
    for (const [k, w] of model.weights) d[k] = w;
    denseWeights.set(model, d);
  }
  return d;
}

/** The model's logit for a feature vector. */
export function modelLogit(model: LinearModel, x: SparseVector): number {
  const w = dense(model);
  let z = model.bias;
  for (let i = 0; i < x.idx.length; i++) z += (w[x.idx[i] ?? 0] ?? 0) * (x.val[i] ?? 0);
  return z;
}

/**
 * The combiner's length input: log10(1 + characters) / 4, at most 1.5. A hashed model sees few
 * features in a short text and so is least sure there; this lets the calibration say so.
 */
export function lengthFeature(chars: number): number {
  return Math.min(1.5, Math.log10(1 + chars) / 4);
}

/** Logistic function. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
