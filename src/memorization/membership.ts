import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import type { PromptLogprobs, PromptScorer } from '../llm/prompt-logprobs.js';
import type { Estimate } from '../stats/intervals.js';
import { bootstrapTwoSample } from '../stats/intervals.js';
import type { RocPoint } from '../stats/roc.js';
import { rocAuc, rocCurve, tprAtFpr } from '../stats/roc.js';
import { CanaryError } from './canary-format.js';
import { itemAt } from '../core/item-at.js';

/** The membership-inference scores; each is oriented so that higher means "more member-like". */
export type AttackName = 'loss' | 'zlib' | 'min-k' | 'reference';

/** Per-record statistics from the token log-probabilities. */
export interface RecordScores {
  /** Mean negative log-likelihood in nats per scored token. */
  readonly nll: number;
  readonly scores: Readonly<Partial<Record<AttackName, number>>>;
}

/** One attack's metrics. */
export interface AttackResult {
  readonly attack: AttackName;
  readonly auc: Estimate;
  readonly tprAt1: Estimate;
  readonly tprAt01: Estimate;
  readonly roc: readonly RocPoint[];
}

/** The whole membership measurement. */
export interface MembershipReport {
  readonly members: number;
  readonly nonMembers: number;
  /** Mean member NLL − mean non-member NLL (nats/token); negative when the model fits members better. */
  readonly generalisationGap: number;
  readonly minKPercent: number;
  readonly attacks: readonly AttackResult[];
}

const MAX_RECORD_CHARS = 100_000;

/**
 * Reads records to score: JSONL (the `field` of each object) when the name ends in .jsonl or
 * .ndjson, otherwise one record per non-blank line. At most `maxRecords` records.
 */
export async function readRecords(
  path: string,
  field: string,
  maxRecords: number,
): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CanaryError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const jsonl = /\.(jsonl|ndjson)$/i.test(path);
  const records: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = itemAt(lines, i);
    if (line.trim() === '') continue;
    let record = line;
    if (jsonl) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new CanaryError(`${path}:${i + 1}: not JSON`);
      }
      const value = (parsed as Record<string, unknown> | null)?.[field];
      if (typeof value !== 'string')
        throw new CanaryError(`${path}:${i + 1}: no string field '${field}'`);
      record = value;
    }
    if (record.length > MAX_RECORD_CHARS)
      throw new CanaryError(`${path}:${i + 1}: record longer than ${MAX_RECORD_CHARS} characters`);
    records.push(record);
    if (records.length > maxRecords)
      throw new CanaryError(`${path}: more than ${maxRecords} records (raise --max-records)`);
  }
  if (records.length < 2) throw new CanaryError(`${path}: needs at least two records`);
  return records;
}

/** Scores of one record from its token log-probabilities (the first token has none and is skipped). */
export function recordScores(
  text: string,
  lp: PromptLogprobs,
  minKPercent: number,
  reference?: PromptLogprobs,
): RecordScores {
  const values = tokenValues(lp);
  const nll = -values.reduce((s, v) => s + v, 0) / values.length;
  const totalBits = (nll * values.length) / Math.LN2;
  const zlibBits = deflateSync(Buffer.from(text, 'utf8'), { level: 9 }).length * 8;
  const sorted = [...values].sort((a, b) => a - b);
  const k = Math.max(1, Math.floor((sorted.length * minKPercent) / 100));
  const minK = sorted.slice(0, k).reduce((s, v) => s + v, 0) / k;
  const scores: Partial<Record<AttackName, number>> = {
    loss: -nll,
    zlib: -totalBits / zlibBits,
    'min-k': minK,
  };
  if (reference !== undefined) {
    const ref = tokenValues(reference);
    const refNll = -ref.reduce((s, v) => s + v, 0) / ref.length;
    scores.reference = refNll - nll;
  }
  return { nll, scores };
}

function tokenValues(lp: PromptLogprobs): number[] {
  const values = lp.logprobs.slice(1).filter((v): v is number => v !== null);
  if (values.length === 0)
    throw new CanaryError(
      'a record is a single token; it has no scored token (drop it or make it longer)',
    );
  return values;
}

/** Options of `measureMembership`. */
export interface MembershipOptions {
  readonly minKPercent: number;
  readonly bootstrapRounds: number;
  readonly seed: string;
}

/** Scores members and non-members (and the reference when given) and computes each attack's metrics. */
export async function measureMembership(
  target: PromptScorer,
  members: readonly string[],
  nonMembers: readonly string[],
  options: MembershipOptions,
  reference?: PromptScorer,
): Promise<MembershipReport> {
  const texts = [...members, ...nonMembers];
  const lps = await target.score(texts);
  const refs = reference === undefined ? undefined : await reference.score(texts);
  const scored = texts.map((t, i) =>
    recordScores(t, itemAt(lps, i), options.minKPercent, refs?.[i]),
  );
  const m = scored.slice(0, members.length);
  const n = scored.slice(members.length);
  const attacks: AttackName[] =
    reference === undefined ? ['loss', 'zlib', 'min-k'] : ['loss', 'zlib', 'min-k', 'reference'];
  const mean = (xs: readonly RecordScores[]): number =>
    xs.reduce((s, x) => s + x.nll, 0) / xs.length;
  return {
    members: members.length,
    nonMembers: nonMembers.length,
    generalisationGap: mean(m) - mean(n),
    minKPercent: options.minKPercent,
    attacks: attacks.map((attack) => {
      const pos = m.map((r) => r.scores[attack] ?? Number.NaN);
      const neg = n.map((r) => r.scores[attack] ?? Number.NaN);
      const boot = (f: (a: readonly number[], b: readonly number[]) => number): Estimate =>
        bootstrapTwoSample(pos, neg, f, {
          rounds: options.bootstrapRounds,
          seed: `${options.seed}/${attack}`,
        });
      return {
        attack,
        auc: boot(rocAuc),
        tprAt1: boot((a, b) => tprAtFpr(a, b, 0.01)),
        tprAt01: boot((a, b) => tprAtFpr(a, b, 0.001)),
        roc: rocCurve(pos, neg),
      };
    }),
  };
}
