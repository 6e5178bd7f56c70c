import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads `test/fixtures/<parts>` (tests run from the repository root). */
export function fixture(...parts: string[]): Uint8Array {
  return new Uint8Array(readFileSync(join('test', 'fixtures', ...parts)));
}

/** Case count of fast-check properties: TORCHWARD_FUZZ_RUNS, or `fallback` for `npm test`. */
export function fuzzRuns(fallback: number): number {
  const n = Number(process.env.TORCHWARD_FUZZ_RUNS);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}
