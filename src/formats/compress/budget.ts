import { checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';

/**
 * The running total of bytes inflated while scanning one top-level file. The engine's
 * `ScanBudget` satisfies it; decoders add to it so nested bombs cannot multiply their output.
 */
export interface InflateBudget {
  inflatedBytes: number;
  /** Epoch milliseconds after which slow decoders stop with LIMIT_EXCEEDED (optional). */
  readonly deadline?: number;
}

// Tiny inputs may legitimately expand past the ratio (a 20-byte stream of zeros); this floor keeps
// the ratio check for bombs without refusing small honest payloads. 1 MiB is harmless in memory.
const RATIO_FLOOR_BYTES = 1024 * 1024;

/**
 * The most bytes one decompression of `inputLength` compressed bytes may produce: the smallest of
 * limits.maxInflatedBytes, what is left of limits.maxTotalInflatedBytes, and inputLength ×
 * limits.maxInflateRatio (at least 1 MiB), and HELD_CEILING, the most decompressed bytes ever held
 * at once. Throws LIMIT_EXCEEDED when the budget is spent.
 */
export function inflateCap(
  limits: Limits,
  budget: InflateBudget,
  inputLength: number,
  offset: number,
): number {
  const left = limits.maxTotalInflatedBytes - budget.inflatedBytes;
  // Spent: the next inflated byte would pass the total.
  checkLimit(
    budget.inflatedBytes + 1,
    limits.maxTotalInflatedBytes,
    'maxTotalInflatedBytes',
    offset,
    () => `maxTotalInflatedBytes: ${limits.maxTotalInflatedBytes} already inflated for this file`,
  );
  const byRatio = Math.max(RATIO_FLOOR_BYTES, inputLength * limits.maxInflateRatio);
  return Math.max(0, Math.min(limits.maxInflatedBytes, left, byRatio, HELD_CEILING));
}

/**
 * Rejects a declared expansion (zip's uncompressed size, gzip's ISIZE) over the ratio or size
 * limits before anything is inflated: a zip bomb announces itself in its headers.
 */
export function checkDeclaredInflate(
  limits: Limits,
  budget: InflateBudget,
  compressed: number,
  declared: number,
  offset: number,
): void {
  checkLimit(
    declared,
    limits.maxInflatedBytes,
    'maxInflatedBytes',
    offset,
    () => `declared size ${declared} exceeds maxInflatedBytes ${limits.maxInflatedBytes}`,
  );
  if (declared > RATIO_FLOOR_BYTES) {
    checkLimit(
      declared,
      compressed * limits.maxInflateRatio,
      'maxInflateRatio',
      offset,
      () =>
        `declared ratio ${declared}/${compressed} exceeds maxInflateRatio ${limits.maxInflateRatio}`,
    );
  }
  checkLimit(
    budget.inflatedBytes + declared,
    limits.maxTotalInflatedBytes,
    'maxTotalInflatedBytes',
    offset,
    () => `declared size ${declared} exceeds what is left of maxTotalInflatedBytes`,
  );
}

/** Adds `n` inflated bytes to the budget. */
export function chargeInflate(budget: InflateBudget, n: number): void {
  budget.inflatedBytes += n;
}

/**
 * Most bytes kept from a decompression that hit a limit, so what it produced before the limit can
 * still be parsed: the caps of `inflateCap` (0 when the file's budget is spent instead of
 * throwing), and never more than `PARTIAL_CEILING` held at once.
 */
export function partialCap(limits: Limits, budget: InflateBudget, inputLength: number): number {
  const left = Math.max(0, limits.maxTotalInflatedBytes - budget.inflatedBytes);
  const byRatio = Math.max(RATIO_FLOOR_BYTES, inputLength * limits.maxInflateRatio);
  return Math.min(PARTIAL_CEILING, limits.maxInflatedBytes, left, byRatio);
}

/**
 * Fixed ceiling on the decompressed bytes one decompression holds in memory, whatever the limits
 * say, so a bomb costs at most this (plus the process) in memory: 256 MiB. A stream that inflates
 * to more is over a limit: what it produced up to here is still parsed.
 */
export const HELD_CEILING = 256 * 1024 * 1024;

/** The output kept from a decompression cut off by a limit: HELD_CEILING. */
export const PARTIAL_CEILING = HELD_CEILING;
