import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoadError } from '../../src/loader/errors.js';
import { checkTensorGeometry, isContiguous } from '../../src/loader/storage-bounds.js';

function refused(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => e instanceof LoadError && e.code === 'INVALID_STORAGE');
}

describe('checkTensorGeometry', () => {
  it('accepts a tensor that ends exactly at the end of its storage', () => {
    const g = checkTensorGeometry('w', [3, 4], [4, 1], 0, 4, 48);
    assert.deepEqual(g.shape, [3, 4]);
    assert.equal(g.numel, 12);
    assert.equal(g.nbytes, 48);
    assert.equal(g.extentBytes, 48);
    assert.equal(g.contiguous, true);
  });

  it('accepts views: offsets, transposes and stride-0 broadcasts inside the storage', () => {
    assert.equal(checkTensorGeometry('row', [4], [1], 8, 4, 48).extentBytes, 48);
    assert.equal(checkTensorGeometry('t', [4, 3], [1, 4], 0, 4, 48).contiguous, false);
    const b = checkTensorGeometry('b', [1000, 4], [0, 1], 0, 2, 8);
    assert.equal(b.nbytes, 8000);
    assert.equal(b.extentBytes, 8);
  });

  it('refuses one element past the end: size, offset and stride each', () => {
    refused(() => checkTensorGeometry('w', [13], [1], 0, 4, 48));
    refused(() => checkTensorGeometry('w', [12], [1], 1, 4, 48));
    refused(() => checkTensorGeometry('w', [2, 2], [1, 11], 1, 4, 48));
  });

  it('refuses products that would wrap 64-bit arithmetic (CVE-2026-24747 class)', () => {
    refused(() => checkTensorGeometry('w', [2n ** 62n, 4], [4, 2n ** 62n], 0, 4, 16));
    refused(() => checkTensorGeometry('w', [2n ** 32n, 2n ** 32n], [2n ** 32n, 1], 0, 1, 16));
    refused(() => checkTensorGeometry('w', [2], [2n ** 64n - 1n], 0, 4, 16));
    refused(() => checkTensorGeometry('w', [1], [1], 2n ** 63n, 4, 16));
  });

  it('refuses negative sizes, strides and offsets, rank mismatches and absurd ranks', () => {
    refused(() => checkTensorGeometry('w', [-1], [1], 0, 4, 16));
    refused(() => checkTensorGeometry('w', [4], [-1], 3, 4, 16));
    refused(() => checkTensorGeometry('w', [4], [1], -1, 4, 16));
    refused(() => checkTensorGeometry('w', [4, 1], [1], 0, 4, 16));
    refused(() =>
      checkTensorGeometry(
        'w',
        new Array<number>(65).fill(1),
        new Array<number>(65).fill(1),
        0,
        4,
        16,
      ),
    );
    refused(() => checkTensorGeometry('w', [1.5], [1], 0, 4, 16));
  });

  it('needs no storage bytes for an empty tensor', () => {
    const g = checkTensorGeometry('e', [0, 3], [3, 1], 0, 4, 0);
    assert.equal(g.nbytes, 0);
    assert.equal(g.extentBytes, 0);
  });

  it('a scalar needs one element', () => {
    assert.equal(checkTensorGeometry('s', [], [], 2, 8, 24).extentBytes, 24);
    refused(() => checkTensorGeometry('s', [], [], 3, 8, 24));
  });
});

describe('isContiguous', () => {
  it('ignores the strides of size-1 and empty dimensions', () => {
    assert.equal(isContiguous([1, 4], [99, 1]), true);
    assert.equal(isContiguous([0, 4], [0, 0]), true);
    assert.equal(isContiguous([2, 4], [1, 2]), false);
    assert.equal(isContiguous([], []), true);
  });
});
