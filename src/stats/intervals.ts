import { SeededRandom } from './seeded-random.js';
import { itemAt } from '../core/item-at.js';

/** A point estimate with a two-sided confidence interval. */
export interface Estimate {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** Wilson score interval for a binomial proportion `successes / trials` (default 95%). */
export function wilsonInterval(successes: number, trials: number, z = 1.959964): Estimate {
  if (trials <= 0) return { value: Number.NaN, low: Number.NaN, high: Number.NaN };
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Percentile bootstrap of a two-sample statistic: resamples both groups with replacement
 * `rounds` times from a seeded stream (reproducible) and returns the (1-level)/2 and
 * (1+level)/2 percentiles around the statistic on the original samples. Resamples whose
 * statistic is not finite are left out.
 */
export function bootstrapTwoSample(
  a: readonly number[],
  b: readonly number[],
  statistic: (a: readonly number[], b: readonly number[]) => number,
  options: { readonly rounds?: number; readonly level?: number; readonly seed?: string } = {},
): Estimate {
  const rounds = options.rounds ?? 1000;
  const level = options.level ?? 0.95;
  const random = new SeededRandom(options.seed ?? 'bootstrap', 'bootstrap');
  const value = statistic(a, b);
  const values: number[] = [];
  const resample = (xs: readonly number[]): number[] =>
    xs.map(() => itemAt(xs, random.below(xs.length)));
  if (a.length === 0 || b.length === 0) return { value, low: Number.NaN, high: Number.NaN };
  for (let r = 0; r < rounds; r++) {
    const v = statistic(resample(a), resample(b));
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((x, y) => x - y);
  return {
    value,
    low: percentile(values, (1 - level) / 2),
    high: percentile(values, (1 + level) / 2),
  };
}

/** Linear-interpolated percentile of a sorted array (q in [0, 1]). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const weight = position - lower;
  return itemAt(sorted, lower) * (1 - weight) + itemAt(sorted, upper) * weight;
}

/** Mean and (sample) standard deviation. */
export function meanAndStd(xs: readonly number[]): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { mean, std: 0 };
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** log2 of the standard normal CDF, accurate far into the lower tail (continued fraction). */
export function log2NormalCdf(z: number): number {
  if (z > -5) return Math.log2(normalCdf(z));
  // Mills-ratio asymptotic series: Phi(z) ~ phi(z)/|z| * (1 - 1/z^2 + 3/z^4 - 15/z^6).
  const z2 = z * z;
  const series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2);
  const lnPhi = -z2 / 2 - 0.5 * Math.log(2 * Math.PI) - Math.log(-z) + Math.log(series);
  return lnPhi / Math.LN2;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 on erf, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
