import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNpyHeader, type NpyModel } from '../../../src/formats/npy/index.js';
import { type Rule } from '../../../src/rules/define-rule.js';
import { runRules } from '../../helpers/run-rules.js';
import objectArray from '../../../src/rules/numpy/object-array.js';
import trailingData from '../../../src/rules/numpy/trailing-data.js';

/** A v1 .npy with `header` (a literal dict) and `data` bytes. */
function npy(header: string, data: number[]): NpyModel {
  const h = new TextEncoder().encode(header);
  const bytes = Uint8Array.from([
    0x93,
    0x4e,
    0x55,
    0x4d,
    0x50,
    0x59,
    1,
    0,
    h.byteLength,
    0,
    ...h,
    ...data,
  ]);
  return { header: parseNpyHeader(bytes), fileSize: bytes.byteLength };
}
const run = (rule: Rule<NpyModel>, model: NpyModel): unknown[] =>
  runRules([rule], model, { uri: 'a.npy', unit: 'byte', options: {} }, (id) => {
    throw new Error(id);
  }).map((f) => [f.messageId, f.verdict, f.primary.span.start, f.primary.span.end]);

describe('numpy rules', () => {
  it('numpy/object-array', () => {
    assert.deepEqual(
      run(objectArray, npy("{'descr': '<i2', 'fortran_order': False, 'shape': (1,)}", [1, 0])),
      [],
    );
    assert.deepEqual(
      run(objectArray, npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", [0x80])),
      [['object', 'suspicious', 10, 64]],
    );
    assert.deepEqual(
      run(
        objectArray,
        npy(
          "{'descr': [('a', '<i4'), ('b', [('c', '|O')])], 'fortran_order': False, 'shape': ()}",
          [],
        ),
      ),
      [['object', 'suspicious', 10, 94]],
    );
  });
  it('numpy/trailing-data', () => {
    assert.deepEqual(
      run(trailingData, npy("{'descr': '<i2', 'fortran_order': False, 'shape': (1,)}", [1, 0])),
      [],
    );
    assert.deepEqual(
      run(trailingData, npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", [1, 2, 3])),
      [],
    );
    assert.deepEqual(
      run(
        trailingData,
        npy("{'descr': '<i2', 'fortran_order': False, 'shape': (1,)}", [1, 0, 9, 9, 9]),
      ),
      [['trailing', 'suspicious', 67, 70]],
    );
  });
});
