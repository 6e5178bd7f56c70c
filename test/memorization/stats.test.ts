import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bootstrapTwoSample,
  log2NormalCdf,
  normalCdf,
  wilsonInterval,
} from '../../src/stats/intervals.js';
import { rocAuc, rocCurve, tprAtFpr } from '../../src/stats/roc.js';

describe('statistics shared by memorization and redteam', () => {
  it('AUC counts pairs, ties as one half', () => {
    assert.equal(rocAuc([3, 4], [1, 2]), 1);
    assert.equal(rocAuc([1, 2], [3, 4]), 0);
    assert.equal(rocAuc([1, 3], [2, 2]), 0.5);
    assert.equal(rocAuc([2], [2]), 0.5);
    // 5 of the 6 pairs ordered: (2>1), (4>1), (4>3); 2<3 is the miss.
    assert.equal(rocAuc([2, 4], [1, 3]), 0.75);
  });

  it('TPR at a low FPR flags only scores above the allowed negatives', () => {
    const neg = Array.from({ length: 100 }, (_, i) => i);
    assert.equal(tprAtFpr([98.5, 99.5, 50], neg, 0.01), 2 / 3);
    assert.equal(tprAtFpr([98.5, 99.5, 50], neg, 0.001), 1 / 3);
    const curve = rocCurve([2, 4], [1, 3]);
    assert.deepEqual(curve.at(0), { fpr: 0, tpr: 0 });
    assert.deepEqual(curve.at(-1), { fpr: 1, tpr: 1 });
  });

  it('Wilson interval matches the textbook value', () => {
    // 8 of 10 at 95%: [0.4902, 0.9433].
    const w = wilsonInterval(8, 10);
    assert.ok(
      Math.abs(w.low - 0.4902) < 1e-3 && Math.abs(w.high - 0.9433) < 1e-3,
      JSON.stringify(w),
    );
  });

  it('the normal tail is right near and far from the centre', () => {
    assert.ok(Math.abs(normalCdf(-1.959964) - 0.025) < 1e-6);
    assert.ok(Math.abs(log2NormalCdf(-4.9) - Math.log2(normalCdf(-4.9))) < 0.01);
    // Phi(-10) = 7.6199e-24.
    assert.ok(Math.abs(log2NormalCdf(-10) - Math.log2(7.6199e-24)) < 0.01);
  });

  it('bootstrap intervals are reproducible and bracket the estimate', () => {
    const a = [0.9, 0.8, 0.7, 0.95, 0.6, 0.85];
    const b = [0.2, 0.4, 0.75, 0.1, 0.3, 0.5];
    const one = bootstrapTwoSample(a, b, rocAuc, { rounds: 300, seed: 's' });
    const two = bootstrapTwoSample(a, b, rocAuc, { rounds: 300, seed: 's' });
    assert.deepEqual(one, two);
    assert.ok(one.low <= one.value && one.value <= one.high && one.high <= 1);
  });
});
