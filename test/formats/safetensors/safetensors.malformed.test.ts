import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { makeLimits } from '../../../src/core/limits.js';
import { parseSafetensorsHeader } from '../../../src/formats/safetensors/index.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 500);
const limits = makeLimits();
const sample = new Uint8Array(
  readFileSync(join('test', 'fixtures', 'safetensors', 'ok', 'two-tensors.safetensors')),
);

const outcome = (bytes: Uint8Array): string => {
  try {
    parseSafetensorsHeader(bytes, limits);
    return 'ok';
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw error;
  }
};

describe('safetensors on malformed input', () => {
  it('truncation at every offset fails with the exact code', () => {
    for (let n = 0; n < sample.byteLength; n++) {
      // Under 8 bytes: HeaderTooSmall; then the header or the data no longer fits the file.
      const expected = n < 8 ? 'TRUNCATED' : 'BAD_LENGTH';
      assert.equal(outcome(sample.subarray(0, n)), expected, `cut at ${n}`);
    }
  });

  it('bad magic: a header that is not JSON', () => {
    const b = sample.slice();
    b[8] = 0x41;
    assert.equal(outcome(b), 'BAD_JSON');
  });

  it('huge lengths and depth bombs', () => {
    const b = sample.slice();
    new DataView(b.buffer).setBigUint64(0, 0xffffffffffffffffn, true);
    assert.equal(outcome(b), 'LIMIT_EXCEEDED');
    const deep = new TextEncoder().encode(
      '{"__metadata__":' + '['.repeat(10_000) + ']'.repeat(10_000) + '}',
    );
    const bomb = new Uint8Array(8 + deep.byteLength);
    new DataView(bomb.buffer).setBigUint64(0, BigInt(deep.byteLength), true);
    bomb.set(deep, 8);
    assert.equal(outcome(bomb), 'LIMIT_EXCEEDED');
  });

  it('arbitrary bytes and mutations parse or throw FormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (bytes) => {
        outcome(bytes);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (edits) => {
          const b = sample.slice();
          for (const [pos, value] of edits) b[8 + (pos % (b.byteLength - 8))] = value;
          outcome(b);
        },
      ),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.json(), (text) => {
        const h = new TextEncoder().encode(text);
        const b = new Uint8Array(8 + h.byteLength);
        new DataView(b.buffer).setBigUint64(0, BigInt(h.byteLength), true);
        b.set(h, 8);
        outcome(b);
      }),
      { numRuns: RUNS },
    );
  });
});
