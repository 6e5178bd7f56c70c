// One bounds check: the scanner flags exactly the tensor geometries torch 2.13 refuses, with the
// check the loader runs (src/core/tensor-geometry.ts). Checkpoints are written and loaded by the
// real torch 2.13 (test/oracle/torch2_bounds.py).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkTensorGeometry } from '../../../src/core/tensor-geometry.js';
import { scanFile } from '../../../src/engine/scan.js';
import { openCheckpoint } from '../../../src/loader/open-checkpoint.js';
import { LoadError } from '../../../src/loader/errors.js';
import { checkTensorGeometry as loaderCheck } from '../../../src/loader/storage-bounds.js';
import { torch2Env, torch2Python } from '../../helpers/torch2.js';

interface Loaded {
  readonly loads: boolean;
  readonly error?: string;
}

const CASES = [
  'fits',
  'fits-offset',
  'offset-past-end',
  'offset-plus-size-past-end',
  'negative-size',
  'numel-overflow',
  'stride-past-end',
  'record-larger-than-declared',
];

describe('tensor bounds: scanner, loader and torch 2.13 agree', () => {
  let dir: string;
  let torch: Record<string, Loaded>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torchward-bounds-'));
    torch = JSON.parse(
      execFileSync(torch2Python(), ['test/oracle/torch2_bounds.py', 'make', dir], {
        encoding: 'utf8',
        env: torch2Env(),
      }),
    ) as Record<string, Loaded>;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const name of CASES) {
    it(`${name}: flagged exactly when torch 2.13 refuses it`, async () => {
      const answer = torch[name];
      assert.ok(answer !== undefined);
      const file = join(dir, `${name}.pt`);
      const result = await scanFile(file);
      // Geometry is pickle/tensor-out-of-bounds; a record that differs from its id is
      // pickle/unverified-persistent-id. Both share the loader's checks (src/core/tensor-geometry.ts).
      const flagged = result.findings.filter(
        (f) =>
          f.ruleId === 'pickle/tensor-out-of-bounds' ||
          (f.ruleId === 'pickle/unverified-persistent-id' && f.messageId === 'record-size'),
      );
      if (answer.loads) {
        assert.equal(result.verdict, 'safe', JSON.stringify(result.findings));
        assert.deepEqual(flagged, []);
        const checkpoint = await openCheckpoint(file);
        await checkpoint.close();
      } else {
        assert.match(
          answer.error ?? '',
          /resize storage|overflow|out of bounds|negative|does not match expected size/i,
        );
        assert.equal(result.verdict, 'suspicious');
        assert.equal(flagged.length, 1, JSON.stringify(result.findings));
        await assert.rejects(openCheckpoint(file), LoadError);
      }
    });
  }

  it('the loader runs the same check (its refusal carries the shared reason)', () => {
    const shared = checkTensorGeometry([4], [1], 100, 4, 16);
    assert.equal(shared.ok, false);
    assert.throws(
      () => loaderCheck('w', [4], [1], 100, 4, 16),
      (e: unknown) =>
        e instanceof LoadError &&
        e.code === 'INVALID_STORAGE' &&
        !shared.ok &&
        e.message === `tensor 'w': ${shared.reason}`,
    );
  });
});
