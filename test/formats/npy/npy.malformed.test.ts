import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { parseNpyHeader } from '../../../src/formats/npy/index.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 500);
const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'npy', path)));

const outcome = (bytes: Uint8Array): string => {
  try {
    parseNpyHeader(bytes);
    return 'ok';
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw error;
  }
};

/** A v1 file with `header` padded to 64 bytes and `data` after it. */
function npy(header: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const h = new TextEncoder().encode(header);
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + h.byteLength + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, h.byteLength, true);
  else view.setUint32(8, h.byteLength, true);
  out.set(h, pre);
  out.set(data, pre + h.byteLength);
  return out;
}

describe('.npy on malformed input', () => {
  it('truncation at every offset fails with the exact code', () => {
    const ok = fixture('ok/int32.npy');
    for (let n = 0; n < ok.byteLength; n++) {
      const code = outcome(ok.subarray(0, n));
      assert.equal(code, 'TRUNCATED', `cut at ${n}`);
    }
    assert.equal(outcome(fixture('bad/truncated-data.npy')), 'TRUNCATED');
  });

  it('bad magic, versions, huge lengths, depth bombs and bad headers', () => {
    assert.equal(outcome(new TextEncoder().encode('\x93NUMPX\x01\x00')), 'BAD_MAGIC');
    const v4 = fixture('ok/int32.npy').slice();
    v4[6] = 4;
    assert.equal(outcome(v4), 'UNSUPPORTED_VERSION');
    const v11 = fixture('ok/int32.npy').slice();
    v11[7] = 1;
    assert.equal(outcome(v11), 'UNSUPPORTED_VERSION');
    const huge = fixture('ok/v2.npy').slice();
    new DataView(huge.buffer).setUint32(8, 0xffffffff, true);
    assert.equal(outcome(huge), 'LIMIT_EXCEEDED');
    assert.equal(outcome(npy(' '.repeat(10_001))), 'LIMIT_EXCEEDED');
    assert.equal(
      outcome(
        npy(`{'descr': ${'['.repeat(100)}${']'.repeat(100)}, 'fortran_order': False, 'shape': ()}`),
      ),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      outcome(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2**62,)}")),
      'BAD_STRUCTURE',
    );
    assert.equal(
      outcome(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}")),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      outcome(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}")),
      'BAD_VALUE',
    );
    assert.equal(
      outcome(npy("{'descr': '<i3', 'fortran_order': False, 'shape': ()}")),
      'BAD_VALUE',
    );
    assert.equal(
      outcome(npy("{'descr': 'object', 'fortran_order': False, 'shape': ()}")),
      'BAD_VALUE',
    );
    assert.equal(
      outcome(npy("{'descr': '<i4', 'fortran_order': 0, 'shape': ()}")),
      'BAD_STRUCTURE',
    );
    assert.equal(
      outcome(npy("{'descr': '<i4', 'fortran_order': False, 'shape': [1]}")),
      'BAD_STRUCTURE',
    );
    assert.equal(
      outcome(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (), 'x': 1}")),
      'BAD_STRUCTURE',
    );
    assert.equal(
      outcome(npy("{'descr': 1, 'fortran_order': False, 'shape': ()}")),
      'BAD_STRUCTURE',
    );
    assert.equal(
      outcome(npy("{'descr': [('a', '<i4'), ('a', '<i4')], 'fortran_order': False, 'shape': ()}")),
      'BAD_STRUCTURE',
    );
    assert.equal(
      outcome(npy("{'descr': [('a',)], 'fortran_order': False, 'shape': ()}")),
      'BAD_STRUCTURE',
    );
    assert.equal(
      outcome(npy("{'descr': [(1, '<i4')], 'fortran_order': False, 'shape': ()}")),
      'BAD_STRUCTURE',
    );
    assert.equal(
      outcome(npy("{'descr': '<V2147483649', 'fortran_order': False, 'shape': ()}")),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      outcome(npy("{'descr': '<i4[ns]', 'fortran_order': False, 'shape': ()}")),
      'BAD_VALUE',
    );
    assert.equal(outcome(npy('[]')), 'BAD_STRUCTURE');
    assert.equal(
      outcome(
        npy("{'descr': '\u00ff', 'fortran_order': False, 'shape': ()}", undefined, 3).map((b, i) =>
          i === 22 ? 0xff : b,
        ),
      ),
      'BAD_UTF8',
    );
    assert.equal(
      outcome(
        npy(
          "{'descr': [(('t', 'a'), '<i4', (2,))], 'fortran_order': False, 'shape': (1,)}",
          new Uint8Array(8),
        ),
      ),
      'ok',
    );
    assert.equal(
      outcome(
        npy("{'descr': '<M8[ns]', 'fortran_order': True, 'shape': (1,)}", new Uint8Array(8), 2),
      ),
      'ok',
    );
  });

  it('arbitrary bytes and mutations parse or throw FormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        outcome(Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, ...bytes]));
      }),
      { numRuns: RUNS },
    );
    const samples = [
      'ok/structured.npy',
      'ok/v3-unicode-field.npy',
      'evil/structured-object.npy',
    ].map(fixture);
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (sample, edits) => {
          const b = sample.slice();
          for (const [pos, value] of edits) b[pos % b.byteLength] = value;
          outcome(b);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
