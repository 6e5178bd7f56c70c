import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemorySource } from '../../src/core/byte-source.js';
import { DTYPES, type Dtype } from '../../src/loader/dtype.js';
import { LoadError } from '../../src/loader/errors.js';
import { checkTensorGeometry } from '../../src/loader/storage-bounds.js';
import type { LoadedTensor } from '../../src/loader/tensor.js';
import { readTensorBytes, swapBytes, TensorReader } from '../../src/loader/tensor-reader.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 300);

function tensor(
  storage: Uint8Array,
  dtype: Dtype,
  shape: number[],
  strides: number[],
  offset: number,
  bigEndian = false,
): LoadedTensor {
  const g = checkTensorGeometry('t', shape, strides, offset, dtype.itemsize, storage.byteLength);
  return {
    name: 't',
    dtype,
    parameter: false,
    storage: {
      key: '0',
      source: new MemorySource(storage),
      start: 0,
      nbytes: storage.byteLength,
      bigEndian,
    },
    ...g,
  };
}

/** The elements in C order, computed the slow obvious way. */
function reference(
  storage: Uint8Array,
  item: number,
  shape: number[],
  strides: number[],
  offset: number,
): Uint8Array {
  const numel = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(numel * item);
  const index = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < numel; n++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += (index[d] ?? 0) * (strides[d] ?? 0);
    out.set(storage.subarray(at * item, (at + 1) * item), n * item);
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = (index[d] ?? 0) + 1;
      if ((index[d] ?? 0) < (shape[d] ?? 0)) break;
      index[d] = 0;
    }
  }
  return out;
}

function f32(): Dtype {
  const d = DTYPES.get('float32');
  assert.ok(d);
  return d;
}

describe('TensorReader', () => {
  it('gathers any strided view exactly as the element-by-element reference', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            size: fc.integer({ min: 0, max: 5 }),
            stride: fc.integer({ min: 0, max: 40 }),
          }),
          {
            maxLength: 4,
          },
        ),
        fc.integer({ min: 0, max: 10 }),
        fc.constantFrom(1, 2, 4, 8),
        fc.constantFrom(undefined, 16, 40, 256),
        async (dims, offset, item, budget) => {
          const shape = dims.map((d) => d.size);
          const strides = dims.map((d) => d.stride);
          const numel = shape.reduce((a, b) => a * b, 1);
          let last = offset;
          for (let i = 0; i < shape.length; i++)
            last += Math.max(0, (shape[i] ?? 0) - 1) * (strides[i] ?? 0);
          const storage = new Uint8Array((numel === 0 ? 0 : last + 1) * item + 3);
          for (let i = 0; i < storage.byteLength; i++) storage[i] = (i * 7 + 3) & 0xff;
          const dtype = [...DTYPES.values()].find(
            (d) => d.itemsize === item && d.swapUnit === item,
          );
          assert.ok(dtype);
          const t = tensor(storage, dtype, shape, strides, numel === 0 ? 0 : offset);
          const want = reference(storage, item, shape, strides, numel === 0 ? 0 : offset);
          // Block by block in the storage's order (what convert writes), any budget.
          assert.deepEqual(await readTensorBytes(t, budget), want);
          // The in-order streaming reader agrees.
          const streamed = new Uint8Array(t.nbytes);
          const reader = new TensorReader(t);
          const chunk = new Uint8Array(item * 3);
          for (let at = 0, n = await reader.next(chunk); n > 0; n = await reader.next(chunk)) {
            streamed.set(chunk.subarray(0, n), at);
            at += n;
          }
          assert.deepEqual(streamed, want);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gathers a transposed matrix larger than one gather block', async () => {
    const rows = 2100;
    const cols = 2100; // 17.6 MB of float32: more than one 16 MiB gather block
    const storage = new Uint8Array(rows * cols * 4);
    const view = new DataView(storage.buffer);
    for (let i = 0; i < rows * cols; i++) view.setFloat32(i * 4, i, true);
    const t = tensor(storage, f32(), [cols, rows], [1, cols], 0);
    const got = await readTensorBytes(t);
    assert.deepEqual(got, reference(storage, 4, [cols, rows], [1, cols], 0));
  });

  it('reorders a transposed matrix larger than the block budget, ending at the storage end', async () => {
    const rows = 37;
    const cols = 29;
    const storage = new Uint8Array((rows * cols + 5) * 4).map((_, i) => (i * 13 + 1) & 0xff);
    // The view's last element is the storage's last element (offset 5).
    const t = tensor(storage, f32(), [cols, rows], [1, cols], 5);
    const want = reference(storage, 4, [cols, rows], [1, cols], 5);
    for (const budget of [16, 100, 4 * cols * 3, 4 * rows * cols]) {
      assert.deepEqual(await readTensorBytes(t, budget), want, `budget ${budget}`);
    }
    await assert.rejects(readTensorBytes(t, 8), RangeError);
  });

  it('reads runs far apart one by one, packed, in any layout', async () => {
    // Gaps over 16 KiB are not read through: each run is its own read.
    const storage = new Uint8Array(400_000).map((_, i) => (i * 31 + 7) & 0xff);
    const cases: [number[], number[], number][] = [
      [[4, 3], [10_000, 1], 2],
      [[3, 4, 2], [1, 9000, 20_000], 0],
      [[6], [5000], 1],
      [[2, 5, 3], [40_000, 1, 6000], 3],
    ];
    for (const [shape, strides, offset] of cases) {
      const t = tensor(storage, f32(), shape, strides, offset);
      const want = reference(storage, 4, shape, strides, offset);
      for (const budget of [undefined, 16, 48, 1000]) {
        assert.deepEqual(
          await readTensorBytes(t, budget),
          want,
          `${shape.join(',')} ${strides.join(',')} ${String(budget)}`,
        );
      }
    }
  });

  it('cuts a long strided row into pieces', async () => {
    const n = 4_500_000; // every other float of 36 MB: the 18 MB row exceeds one block
    const storage = new Uint8Array(n * 2 * 4);
    for (let i = 0; i < storage.byteLength; i++) storage[i] = i % 251;
    const t = tensor(storage, f32(), [n], [2], 0);
    assert.deepEqual(await readTensorBytes(t), reference(storage, 4, [n], [2], 0));
  });

  it('streams a contiguous tensor in caller-sized chunks', async () => {
    const storage = new Uint8Array(4000).map((_, i) => i & 0xff);
    const reader = new TensorReader(tensor(storage, f32(), [10, 99], [99, 1], 10));
    const chunk = new Uint8Array(1024);
    const parts: number[] = [];
    for (let n = await reader.next(chunk); n > 0; n = await reader.next(chunk)) parts.push(n);
    assert.deepEqual(parts, [1024, 1024, 1024, 888]);
    await assert.rejects(reader.next(new Uint8Array(6)), RangeError);
  });

  it('byte-swaps big-endian storages, complex numbers half by half', async () => {
    const be = new Uint8Array([0x3f, 0x80, 0, 0, 0x40, 0, 0, 0]);
    assert.deepEqual(
      await readTensorBytes(tensor(be, f32(), [2], [1], 0, true)),
      new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]),
    );
    const c = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    swapBytes(c, DTYPES.get('complex64')?.swapUnit ?? 0);
    assert.deepEqual(c, new Uint8Array([4, 3, 2, 1, 8, 7, 6, 5]));
  });

  it('fails with INVALID_STORAGE when the source holds fewer bytes than it claims', async () => {
    const t = tensor(new Uint8Array(64), f32(), [16], [1], 0);
    const short: LoadedTensor = {
      ...t,
      storage: { ...t.storage, source: new MemorySource(new Uint8Array(10)) },
    };
    await assert.rejects(
      readTensorBytes(short),
      (e: unknown) => e instanceof LoadError && e.code === 'INVALID_STORAGE',
    );
  });
});
