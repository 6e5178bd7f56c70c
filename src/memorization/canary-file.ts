import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CanaryFormat } from './canary-format.js';
import {
  CanaryError,
  SeededRandom,
  drawCanary,
  matchesFormat,
  parseCanaryFormat,
} from './canary-format.js';

/** One canary: its text, and once inserted, how often and where. */
export interface Canary {
  readonly id: string;
  readonly text: string;
  readonly repeats?: number;
  /** 1-based record numbers of the copies in the output dataset (after `canary insert`). */
  readonly positions?: readonly number[];
}

/** The canary file: the format and its space, the canaries, and never the seed. */
export interface CanaryFile {
  readonly torchward: 'canaries';
  readonly version: 1;
  readonly format: string;
  readonly words: readonly string[];
  readonly log2SpaceSize: number;
  /** SHA-256 of the seed with a label: lets the owner show which seed made the file, reveals nothing. */
  readonly seedCommitment: string;
  readonly canaries: readonly Canary[];
  readonly dataset?: { readonly path: string; readonly sha256: string; readonly records: number };
}

const MAX_CANARIES = 100_000;
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Commitment to a seed; the seed itself stays with whoever generated the canaries. */
export function seedCommitment(seed: string): string {
  return createHash('sha256').update(`torchward-canary-seed\u0000${seed}`).digest('hex');
}

/**
 * Generates `count` distinct canaries from a format with the secret `seed`. Throws
 * `CanaryError` when the space holds fewer than `count` distinct secrets.
 */
export function generateCanaries(format: CanaryFormat, count: number, seed: string): CanaryFile {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_CANARIES) {
    throw new CanaryError(`--count must be between 1 and ${MAX_CANARIES}`);
  }
  if (format.log2SpaceSize < Math.log2(count) - 1e-9) {
    throw new CanaryError(
      `the format's space holds 2^${format.log2SpaceSize.toFixed(2)} secrets, fewer than the ${count} canaries asked for`,
    );
  }
  if (format.log2SpaceSize < Math.log2(count) + 4) {
    // Drawing most of a small space by rejection is slow and the canaries would leave too few
    // alternatives to rank against.
    throw new CanaryError(
      `the format's space (2^${format.log2SpaceSize.toFixed(2)}) is too small for ${count} canaries: it needs at least 16 times as many secrets`,
    );
  }
  const random = new SeededRandom(seed, 'canaries');
  const seen = new Set<string>();
  const canaries: Canary[] = [];
  while (canaries.length < count) {
    const text = drawCanary(format, random);
    if (seen.has(text)) continue;
    seen.add(text);
    canaries.push({ id: `c${canaries.length}`, text });
  }
  return {
    torchward: 'canaries',
    version: 1,
    format: format.source,
    words: format.words,
    log2SpaceSize: format.log2SpaceSize,
    seedCommitment: seedCommitment(seed),
    canaries,
  };
}

/** Reads and checks a canary file: its format parses, every canary belongs to its space. */
export async function readCanaryFile(
  path: string,
): Promise<{ file: CanaryFile; format: CanaryFormat }> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_FILE_BYTES)
      throw new CanaryError(`${path}: canary file larger than ${MAX_FILE_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof CanaryError) throw error;
    throw new CanaryError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CanaryError(`${path}: not JSON`);
  }
  const r = (raw ?? {}) as Record<string, unknown>;
  if (r.torchward !== 'canaries' || r.version !== 1) {
    throw new CanaryError(`${path}: not a torchward canary file (version 1)`);
  }
  if (typeof r.format !== 'string') throw new CanaryError(`${path}: no format`);
  const words =
    Array.isArray(r.words) && r.words.every((w) => typeof w === 'string') ? r.words : [];
  let format: CanaryFormat;
  try {
    format = parseCanaryFormat(r.format, words);
  } catch (error) {
    throw new CanaryError(`${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(r.canaries) || r.canaries.length === 0 || r.canaries.length > MAX_CANARIES) {
    throw new CanaryError(`${path}: canaries must be a list of 1 to ${MAX_CANARIES} entries`);
  }
  const ids = new Set<string>();
  const canaries = r.canaries.map((c: unknown, i) => {
    const e = (c ?? {}) as Record<string, unknown>;
    if (typeof e.id !== 'string' || typeof e.text !== 'string') {
      throw new CanaryError(`${path}: canary ${i} needs a string id and text`);
    }
    if (ids.has(e.id)) throw new CanaryError(`${path}: duplicate canary id ${e.id}`);
    ids.add(e.id);
    if (!matchesFormat(format, e.text)) {
      throw new CanaryError(
        `${path}: canary ${e.id} (${JSON.stringify(e.text)}) does not match the format ${JSON.stringify(format.source)}`,
      );
    }
    const repeats = e.repeats;
    if (
      repeats !== undefined &&
      (typeof repeats !== 'number' || !Number.isSafeInteger(repeats) || repeats < 0)
    ) {
      throw new CanaryError(`${path}: canary ${e.id} has a bad repeat count`);
    }
    const canary: Canary = {
      id: e.id,
      text: e.text,
      ...(repeats === undefined ? {} : { repeats }),
      ...(Array.isArray(e.positions)
        ? { positions: e.positions.filter((p): p is number => typeof p === 'number') }
        : {}),
    };
    return canary;
  });
  const file: CanaryFile = {
    torchward: 'canaries',
    version: 1,
    format: r.format,
    words: format.words,
    log2SpaceSize: format.log2SpaceSize,
    seedCommitment: typeof r.seedCommitment === 'string' ? r.seedCommitment : '',
    canaries,
  };
  return { file, format };
}
