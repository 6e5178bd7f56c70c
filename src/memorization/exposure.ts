import type { PromptLogprobs, PromptScorer } from '../llm/prompt-logprobs.js';
import { LlmError } from '../llm/errors.js';
import { log2NormalCdf, meanAndStd } from '../stats/intervals.js';
import type { Canary } from './canary-file.js';
import type { CanaryFormat } from './canary-format.js';
import { SeededRandom, drawCanary, enumerateSpace } from './canary-format.js';
import { itemAt } from '../core/item-at.js';

/** How a canary's exposure was obtained. */
export type ExposureMethod = 'exact' | 'sampled' | 'extrapolated';

/** One canary's result. */
export interface CanaryExposure {
  readonly id: string;
  readonly repeats: number | null;
  /** Log-perplexity in bits of the secret part given the prefix: −Σ log2 p(token | earlier). */
  readonly logPerplexity: number;
  /** Tokens scored for the secret part. */
  readonly secretTokens: number;
  /** A token spans the prefix/secret boundary (its log-probability is counted in the secret). */
  readonly straddlesBoundary: boolean;
  /** 1 + number of alternatives with strictly lower log-perplexity (exact: in the whole space). */
  readonly rank: number;
  readonly alternatives: number;
  readonly exposure: number;
  readonly method: ExposureMethod;
}

/** Exposure per repeat count. */
export interface ExposureGroup {
  readonly repeats: number | null;
  readonly canaries: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** The whole canary measurement. */
export interface ExposureReport {
  readonly format: string;
  readonly log2SpaceSize: number;
  readonly method: 'exact' | 'sampled';
  readonly alternatives: number;
  readonly canaries: readonly CanaryExposure[];
  readonly groups: readonly ExposureGroup[];
  /** The assumption behind extrapolated values, when any canary needed one. */
  readonly assumption?: string;
  readonly alternativeMean: number;
  readonly alternativeStd: number;
}

/** Options of `measureExposure`. */
export interface ExposureOptions {
  /** Enumerate the whole space when it holds at most this many secrets. */
  readonly enumerateLimit: number;
  /** Alternatives sampled from the space otherwise. */
  readonly samples: number;
  /** Seed of the alternatives (not the canary seed; any value will do). */
  readonly seed: string;
}

/**
 * Why `log2|R| − Px` bounds exposure from below: with digits and hex slots every secret has
 * the same length, so no secret is a prefix of another, and the model's probabilities of
 * distinct secrets after the same prefix sum to at most 1. At most 2^Px secrets can then have
 * probability 2^-Px or more, so rank <= 2^Px.
 */
export const PROBABILITY_BOUND =
  'whatever the fit, exposure is at least log2|R| minus the log-perplexity, since at most 2^Px secrets of fixed length can have probability 2^-Px or more';

export const EXTRAPOLATION_ASSUMPTION =
  'the log-perplexities of random secrets from the space follow a normal distribution fitted to the sampled ones (Carlini et al. 2019 fit a skew-normal; a normal ignores skew, so far-tail values are estimates, not measurements)';

/**
 * Log-perplexity in bits of the text from `secretStart` on: the sum over every token that
 * covers a character of the secret. A token that starts in the prefix and ends in the secret
 * (a tokenizer merging across the boundary) is counted and flagged.
 */
export function secretLogPerplexity(
  lp: PromptLogprobs,
  secretStart: number,
): { bits: number; tokens: number; straddles: boolean } {
  let nats = 0;
  let tokens = 0;
  let straddles = false;
  for (let i = 0; i < lp.tokens.length; i++) {
    const start = itemAt(lp.offsets, i);
    const end = start + itemAt(lp.tokens, i).length;
    if (end <= secretStart) continue;
    if (start < secretStart) straddles = true;
    const value = lp.logprobs[i];
    if (value === null || value === undefined) {
      throw new LlmError('missing-tokens', `token ${i} of the secret has no log-probability`);
    }
    nats -= value;
    tokens++;
  }
  if (tokens === 0) throw new LlmError('missing-tokens', 'no token of the reply covers the secret');
  return { bits: nats / Math.LN2, tokens, straddles };
}

/** Scores the canaries and their alternatives and computes exposure per canary and per repeat count. */
export async function measureExposure(
  scorer: PromptScorer,
  format: CanaryFormat,
  canaries: readonly Canary[],
  options: ExposureOptions,
): Promise<ExposureReport> {
  const space = enumerateSpace(format, options.enumerateLimit);
  const alternatives = space ?? sampleAlternatives(format, options.samples, options.seed);
  const prompts = [...canaries.map((c) => c.text), ...alternatives];
  const scored = await scorer.score(prompts);
  const start = format.prefix.length;
  const canaryScores = scored.slice(0, canaries.length).map((lp) => secretLogPerplexity(lp, start));
  const altBits = scored.slice(canaries.length).map((lp) => secretLogPerplexity(lp, start).bits);
  const sortedAlt = [...altBits].sort((a, b) => a - b);
  const { mean, std } = meanAndStd(altBits);
  const prefixFree = format.parts.every((p) => !('slot' in p) || p.slot.kind !== 'words');
  const results = canaries.map((canary, i): CanaryExposure => {
    const px = itemAt(canaryScores, i).bits;
    const bound = prefixFree ? format.log2SpaceSize - px : undefined;
    const lower = countBelow(sortedAlt, px, false);
    const atMost = countBelow(sortedAlt, px, true);
    let exposure: number;
    let method: ExposureMethod;
    if (space !== undefined) {
      // The canary is one of the enumerated texts, so atMost >= 1.
      exposure = format.log2SpaceSize - Math.log2(Math.max(1, atMost));
      method = 'exact';
    } else if (atMost > 0) {
      exposure = -Math.log2(atMost / sortedAlt.length);
      method = 'sampled';
    } else {
      if (!(std > 0)) {
        throw new LlmError(
          'bad-reply',
          'cannot extrapolate exposure: the sampled alternatives all have the same log-perplexity',
        );
      }
      exposure = Math.min(format.log2SpaceSize, -log2NormalCdf((px - mean) / std));
      // Never report less than the sample itself shows (beating every one of M samples), nor
      // less than the probability bound (see probabilityBound).
      exposure = Math.max(exposure, Math.log2(sortedAlt.length), bound ?? 0);
      method = 'extrapolated';
    }
    if (!Number.isFinite(exposure)) {
      throw new LlmError(
        'non-finite-logprob',
        `exposure of canary ${canary.id} is not a finite number`,
      );
    }
    return {
      id: canary.id,
      repeats: canary.repeats ?? null,
      logPerplexity: px,
      secretTokens: itemAt(canaryScores, i).tokens,
      straddlesBoundary: itemAt(canaryScores, i).straddles,
      rank: lower + 1,
      alternatives: sortedAlt.length,
      exposure: Math.max(0, exposure),
      method,
    };
  });
  return {
    format: format.source,
    log2SpaceSize: format.log2SpaceSize,
    method: space !== undefined ? 'exact' : 'sampled',
    alternatives: sortedAlt.length,
    canaries: results,
    groups: groupByRepeats(results),
    ...(results.some((r) => r.method === 'extrapolated')
      ? {
          assumption: prefixFree
            ? `${EXTRAPOLATION_ASSUMPTION}; ${PROBABILITY_BOUND}`
            : EXTRAPOLATION_ASSUMPTION,
        }
      : {}),
    alternativeMean: mean,
    alternativeStd: std,
  };
}

function sampleAlternatives(format: CanaryFormat, samples: number, seed: string): string[] {
  const random = new SeededRandom(seed, 'alternatives');
  return Array.from({ length: samples }, () => drawCanary(format, random));
}

function countBelow(sorted: readonly number[], x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = itemAt(sorted, mid);
    if (v < x || (inclusive && v <= x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function groupByRepeats(results: readonly CanaryExposure[]): ExposureGroup[] {
  const groups = new Map<number | null, number[]>();
  for (const r of results) {
    const list = groups.get(r.repeats) ?? [];
    list.push(r.exposure);
    groups.set(r.repeats, list);
  }
  return [...groups.entries()]
    .sort((a, b) => (a[0] ?? -1) - (b[0] ?? -1))
    .map(([repeats, values]) => ({
      repeats,
      canaries: values.length,
      mean: values.reduce((s, v) => s + v, 0) / values.length,
      min: Math.min(...values),
      max: Math.max(...values),
    }));
}
