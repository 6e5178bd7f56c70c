import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { makeLimits } from '../../src/core/limits.js';
import { LoadError } from '../../src/loader/errors.js';
import { loadByContent } from '../../src/loader/open-checkpoint.js';
import { PositionedFile } from '../../src/loader/positioned-file.js';
import { planSafetensors, writeSafetensors } from '../../src/loader/safetensors-writer.js';
import { torchOracle } from '../helpers/torch-oracle.js';

// Byte flips, truncations and insertions of real checkpoints: the loader and the writer either
// succeed or refuse with a LoadError, never anything else (a TypeError here is a bug), and a
// refusal leaves no output.

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 150);
const dir = mkdtempSync(join(tmpdir(), 'torchward-mutate-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const SEEDS = ['views.zip.pt', 'views.legacy.pt', 'dtypes.zip.pt', 'arrays.npz', 'fortran.npy'];

/** Converts `bytes`; true when it was converted, false when refused (LoadError). */
async function attempt(bytes: Uint8Array, n: number): Promise<boolean> {
  const input = join(dir, `in-${n}`);
  const output = join(dir, `out-${n}.safetensors`);
  writeFileSync(input, bytes);
  const file = await PositionedFile.open(input);
  try {
    const { kind, result } = await loadByContent(file, makeLimits());
    await writeSafetensors(
      planSafetensors(result.tensors, result.metadata, kind !== 'safetensors'),
      output,
    );
    rmSync(output);
    return true;
  } catch (error) {
    if (!(error instanceof LoadError)) throw error;
    assert.throws(() => readFileSync(output));
    return false;
  } finally {
    await file.close();
    rmSync(input);
  }
}

describe('loader on mutated checkpoints', () => {
  const seeds: Uint8Array[] = [];
  before(() => {
    const made = join(dir, 'seeds');
    execFileSync('mkdir', ['-p', made]);
    torchOracle('make-benign', made);
    for (const name of SEEDS) seeds.push(new Uint8Array(readFileSync(join(made, name))));
  });

  it('only ever succeeds or refuses with LoadError', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.option(fc.nat(), { nil: undefined }),
        async (which, flips, cut) => {
          const seed = seeds[which % seeds.length];
          assert.ok(seed);
          let bytes = seed.slice();
          for (const f of flips) bytes[f.at % bytes.byteLength] = f.value;
          if (cut !== undefined) bytes = bytes.subarray(0, cut % bytes.byteLength);
          await attempt(bytes, n++);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses every truncation of a legacy checkpoint inside its storages', async () => {
    const legacy = seeds[1];
    assert.ok(legacy);
    for (let cut = legacy.byteLength - 1; cut > legacy.byteLength - 300; cut -= 7) {
      assert.equal(await attempt(legacy.subarray(0, cut), cut), false, `cut at ${cut}`);
    }
  });
});
