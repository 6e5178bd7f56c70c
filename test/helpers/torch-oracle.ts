import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';

// The Python side of the convert tests (test/loader/torch_oracle.py): real torch 1.13 and numpy
// write the checkpoints, then read our safetensors output back and compare it with torch.load.

const PYTHON = '/usr/bin/python3';
const ORACLE = join('test', 'loader', 'torch_oracle.py');

/** A checkpoint the oracle wrote (`make-benign`, `make-hostile`). */
export interface MadeCheckpoint {
  readonly file: string;
  readonly ours?: boolean;
  readonly numpy?: boolean;
  readonly case?: string;
  readonly reference?: string;
}

/** A source checkpoint and our safetensors conversion of it, for `check`. */
export interface ConvertedPair {
  readonly source: string;
  readonly output: string;
  readonly ours: boolean;
  readonly numpy: boolean;
  readonly reference?: string;
}

/** The oracle's verdict on one pair. */
export interface OracleCheck {
  readonly source: string;
  readonly ok: boolean;
  readonly errors: readonly string[];
  /** How torch read the source: `weights_only`, or a fallback torch 1.13 needed. */
  readonly how: string;
  readonly tensors: number;
}

/** Runs the oracle with `args` and parses its JSON answer. */
export function torchOracle(...args: string[]): unknown {
  return JSON.parse(
    execFileSync(PYTHON, [ORACLE, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  );
}

/** The pair for a made checkpoint converted to `output`. */
export function pairOf(made: MadeCheckpoint, output: string): ConvertedPair {
  return {
    source: made.file,
    output,
    ours: made.ours === true,
    numpy: made.numpy === true,
    ...(made.reference === undefined ? {} : { reference: made.reference }),
  };
}

/**
 * Compares every pair with torch.load (and numpy) in Python, bit for bit, as one subtest per
 * source (`same as torch: NAME`) asserting no differences, plus `also` when given. The pair list
 * is written to `listPath`. Returns the oracle's verdicts.
 */
export async function compareWithTorch(
  t: TestContext,
  pairs: readonly ConvertedPair[],
  listPath: string,
  also?: (check: OracleCheck) => void,
): Promise<OracleCheck[]> {
  writeFileSync(listPath, JSON.stringify(pairs));
  const results = torchOracle('check', listPath) as OracleCheck[];
  for (const r of results) {
    await t.test(`same as torch: ${basename(r.source)}`, () => {
      assert.deepEqual(r.errors, []);
      also?.(r);
    });
  }
  return results;
}
