import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemorySource, type ByteSource } from '../../src/core/byte-source.js';
import { dedupeTensors } from '../../src/loader/dedupe.js';
import { DTYPES } from '../../src/loader/dtype.js';
import type { LoadedTensor } from '../../src/loader/tensor.js';
import { fuzzRuns } from '../helpers/issue4-fixtures.js';

// dedupeTensors sorts tensors by their geometry instead of building one key text per tensor
// (memory for 100,000 tensors). These tests hold it to the plain definition: a tensor is dropped
// when an earlier one has the same source, storage window, offset, dtype, shape and strides.

const SOURCES = [new MemorySource(new Uint8Array(64)), new MemorySource(new Uint8Array(64))];

function tensor(
  name: string,
  source: ByteSource,
  start: number,
  offset: number,
  dtypeName: string,
  shape: number[],
  strides: number[],
): LoadedTensor {
  const dtype = DTYPES.get(dtypeName);
  assert.ok(dtype);
  const numel = shape.reduce((a, b) => a * b, 1);
  return {
    name,
    dtype,
    parameter: false,
    storage: { key: `${start}`, source, start, nbytes: 64, bigEndian: false },
    shape,
    strides,
    storageOffset: offset,
    numel,
    nbytes: numel * dtype.itemsize,
    extentBytes: 0,
    contiguous: false,
  };
}

/** The definition, one key text per tensor (what the loader did before). */
function reference(tensors: readonly LoadedTensor[]): {
  kept: string[];
  aliases: [string, string][];
} {
  const ids = new Map<ByteSource, number>();
  const first = new Map<string, string>();
  const kept: string[] = [];
  const aliases: [string, string][] = [];
  for (const t of tensors) {
    if (t.nbytes === 0) {
      kept.push(t.name);
      continue;
    }
    if (!ids.has(t.storage.source)) ids.set(t.storage.source, ids.size);
    const key = [
      ids.get(t.storage.source),
      t.storage.start,
      t.storage.nbytes,
      t.storageOffset,
      t.dtype.name,
      t.shape.join(','),
      t.strides.join(','),
    ].join(':');
    const owner = first.get(key);
    if (owner === undefined) {
      first.set(key, t.name);
      kept.push(t.name);
    } else aliases.push([t.name, owner]);
  }
  return { kept, aliases };
}

describe('dedupeTensors', () => {
  it('keeps the first of identical views and maps each later one to it, in checkpoint order', () => {
    const s = SOURCES[0] ?? SOURCES[1];
    assert.ok(s);
    const result = dedupeTensors([
      tensor('lm_head.weight', s, 0, 0, 'float32', [2, 2], [2, 1]),
      tensor('wte.weight', s, 0, 0, 'float32', [2, 2], [2, 1]),
      tensor('transposed', s, 0, 0, 'float32', [2, 2], [1, 2]),
      tensor('other.dtype', s, 0, 0, 'int32', [2, 2], [2, 1]),
      tensor('empty.a', s, 0, 0, 'float32', [0], [1]),
      tensor('empty.b', s, 0, 0, 'float32', [0], [1]),
      tensor('tied.again', s, 0, 0, 'float32', [2, 2], [2, 1]),
    ]);
    assert.deepEqual(
      result.tensors.map((t) => t.name),
      ['lm_head.weight', 'transposed', 'other.dtype', 'empty.a', 'empty.b'],
    );
    assert.deepEqual(
      [...result.aliases],
      [
        ['wte.weight', 'lm_head.weight'],
        ['tied.again', 'lm_head.weight'],
      ],
    );
  });

  it('agrees with the one-key-per-tensor definition on random checkpoints', () => {
    const spec = fc.record({
      source: fc.integer({ min: 0, max: 1 }),
      start: fc.constantFrom(0, 8),
      offset: fc.integer({ min: 0, max: 2 }),
      dtype: fc.constantFrom('float32', 'int32', 'float16'),
      dims: fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), {
        maxLength: 2,
      }),
    });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 40 }), (specs) => {
        const tensors = specs.map((t, i) =>
          tensor(
            `t${i}`,
            SOURCES[t.source] ?? new MemorySource(new Uint8Array(0)),
            t.start,
            t.offset,
            t.dtype,
            t.dims.map(([size]) => size),
            t.dims.map(([, stride]) => stride),
          ),
        );
        const want = reference(tensors);
        const got = dedupeTensors(tensors);
        assert.deepEqual(
          got.tensors.map((t) => t.name),
          want.kept,
        );
        assert.deepEqual([...got.aliases], want.aliases);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });
});
