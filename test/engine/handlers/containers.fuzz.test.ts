import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanBytes } from '../../../src/engine/scan.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 150);
const SAMPLES = [
  'zip/ok/torch-deflated.pt',
  'zip/evil/c7-duplicate.pt',
  'zip/evil/c15-nested.zip',
  'zip/ok/npz-compressed.npz',
  'tar/ok/legacy-torch.tar',
  'tar/ok/pax-longname.tar',
  'compress/ok/pickle.lz4',
  'compress/ok/pickle.lzma',
  'compress/ok/joblib-bz2.bz2',
  'npy/evil/structured-object.npy',
  'safetensors/ok/two-tensors.safetensors',
].map((p) => new Uint8Array(readFileSync(join('test', 'fixtures', p))));

// Handlers must turn every malformed container into findings: an internal error is a bug.
describe('container handlers on mutated input', () => {
  it('never throw and never report an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SAMPLES.keys()),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(),
        async (index, edits, cut) => {
          const sample = SAMPLES[index] ?? new Uint8Array(0);
          let b = sample.slice();
          for (const [pos, value] of edits) b[pos % b.byteLength] = value;
          if (cut % 3 === 0) b = b.subarray(0, cut % (b.byteLength + 1));
          const result = await scanBytes(b, 'fuzzed');
          assert.ok(['safe', 'invalid', 'suspicious', 'malicious'].includes(result.verdict ?? ''));
          const internal = result.findings.filter((f) => f.ruleId === 'model/internal-error');
          assert.deepEqual(
            internal.map((f) => f.message),
            [],
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
