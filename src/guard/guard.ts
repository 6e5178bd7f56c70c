import { analyze, decodeInput } from './analyze.js';
import { DEFAULT_GUARD_CONFIG, type GuardConfig } from './config.js';
import { escapeHtml, escapeMarkdown } from './encode.js';
import { featurize } from './features.js';
import { lengthFeature, modelLogit, shippedModel, sigmoid, type LinearModel } from './model.js';
import type { GuardFinding, GuardMode, GuardResult } from './types.js';

// Hidden and decoded texts scored by the model per record (rescan caps how many exist anyway).
const MAX_EXTRA_TEXTS = 16;

/** Options of one guard call. */
export interface GuardOptions {
  /** The resolved `guard:` configuration (parseGuardConfig); defaults otherwise. */
  readonly config?: GuardConfig;
  /** Overrides config.mode. */
  readonly mode?: GuardMode;
  /** A model artifact other than the shipped one. */
  readonly model?: LinearModel;
  /** The structured record the text came from, for JSON Schema validation. */
  readonly structured?: unknown;
}

/** The score at or above which each mode flags, as fitted into the shipped model. */
export function guardThresholds(
  model: LinearModel = shippedModel(),
): Readonly<Record<GuardMode, number>> {
  return model.thresholds;
}

/**
 * Judges one untrusted input (a prompt, a tool result, a document): runs the sanitiser stages,
 * the heuristic layer and the linear model, and combines them into one calibrated score.
 * Never throws for bad input: undecodable or oversized input gives a result with `error`, score 1
 * and `flagged: true` (fail closed).
 */
export function guard(input: string | Uint8Array, options: GuardOptions = {}): GuardResult {
  const config = options.config ?? DEFAULT_GUARD_CONFIG;
  const mode = options.mode ?? config.mode;
  const model = options.model ?? shippedModel();
  const decoded = decodeInput(input, config.maxChars);
  if ('error' in decoded) {
    const finding: GuardFinding = {
      stage: 'error',
      code: `error/${decoded.error.code}`,
      message: decoded.error.message,
      start: 0,
      end: typeof input === 'string' ? input.length : input.byteLength,
      weight: 1,
    };
    return {
      score: 1,
      flagged: true,
      mode,
      findings: [finding],
      sanitized: null,
      layers: { sanitizer: 1, heuristic: 0, model: 0 },
      error: decoded.error,
    };
  }
  const a = analyze(decoded.text, config, options.structured);
  let logit = modelLogit(model, featurize(a.folded));
  // Each hidden or decoded text is scored on its own: joined, the layers of a nested encoding
  // would dilute the one readable layer.
  for (const t of a.extraTexts.slice(0, MAX_EXTRA_TEXTS)) {
    logit = Math.max(logit, modelLogit(model, featurize(t)));
  }
  const score = combineScores(model, logit, a.heuristicScore, a.sanitizerScore, a.folded.length);
  const findings: GuardFinding[] = [...a.findings];
  const modelProb = sigmoid(logit);
  if (modelProb >= 0.5) {
    findings.push({
      stage: 'model',
      code: 'model/linear',
      message: `linear model: ${(modelProb * 100).toFixed(1)}% injection or jailbreak`,
      start: 0,
      end: decoded.text.length,
      weight: modelProb,
    });
  }
  findings.sort((x, y) => x.start - y.start || (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
  const sanitized =
    config.encode === 'html'
      ? escapeHtml(a.sanitized)
      : config.encode === 'markdown'
        ? escapeMarkdown(a.sanitized)
        : a.sanitized;
  return {
    score,
    flagged: score >= model.thresholds[mode],
    mode,
    findings,
    sanitized,
    layers: { sanitizer: a.sanitizerScore, heuristic: a.heuristicScore, model: modelProb },
  };
}

/**
 * The combined score: the model logit, the heuristic score and the text length (`chars`, of the
 * folded text) calibrated together by the fitted
 * combiner (Platt-style), then joined with the sanitiser's evidence by noisy-or, since smuggling
 * is rare in any training data and must count on its own.
 */
export function combineScores(
  model: LinearModel,
  logit: number,
  heuristic: number,
  sanitizer: number,
  chars: number,
): number {
  const { a, b, c, d } = model.combiner;
  const p = sigmoid(a * logit + b * heuristic + d * lengthFeature(chars) + c);
  return 1 - (1 - p) * (1 - sanitizer);
}
