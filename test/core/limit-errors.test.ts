import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLimit, FormatError, limitError } from '../../src/core/errors.js';

describe('checkLimit and limitError', () => {
  it('accepts a value at the limit and refuses one past it, numbers and bigints alike', () => {
    assert.doesNotThrow(() => {
      checkLimit(10, 10, 'maxEntries', 0);
    });
    assert.doesNotThrow(() => {
      checkLimit(2n ** 53n - 1n, Number.MAX_SAFE_INTEGER, 'dim', 0);
    });
    assert.throws(
      () => {
        checkLimit(2n ** 53n, Number.MAX_SAFE_INTEGER, 'dim', 7);
      },
      (error: unknown) =>
        error instanceof FormatError && error.code === 'LIMIT_EXCEEDED' && error.offset === 7,
    );
    assert.equal(limitError(3, 3, 'x', 0), undefined);
  });

  it('names the limit, or keeps the site wording given as a string or a lazy function', () => {
    assert.equal(
      limitError(11, 10, 'maxEntries', 4)?.message,
      'maxEntries: 11 exceeds the limit 10',
    );
    assert.equal(limitError(11, 10, 'maxEntries', 4, 'too many')?.message, 'too many');
    let calls = 0;
    const lazy = (): string => {
      calls++;
      return 'built on failure';
    };
    checkLimit(1, 10, 'n', 0, lazy);
    assert.equal(calls, 0);
    assert.throws(() => {
      checkLimit(11, 10, 'n', 0, lazy);
    }, /built on failure/);
    assert.equal(calls, 1);
  });
});
