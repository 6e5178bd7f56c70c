import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { MemorySource } from '../../src/core/byte-source.js';
import { alignedArena } from '../../src/loader/aligned-memory.js';
import { DTYPES } from '../../src/loader/dtype.js';
import { reorderKernels } from '../../src/loader/reorder-kernels.js';
import { checkTensorGeometry } from '../../src/loader/storage-bounds.js';
import type { LoadedTensor } from '../../src/loader/tensor.js';
import { ViewGatherer } from '../../src/loader/view-gather.js';

// The WebAssembly reorder kernels (src/loader/reorder.wat, issue 22 item 5): the committed module
// is the .wat compiled, and views gathered through the kernels give the same bytes as the
// JavaScript reorder and as an element-by-element walk of the view.

/** xorshift32: a fixed sequence of views, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function view(
  storage: Uint8Array,
  dtypeName: string,
  shape: number[],
  strides: number[],
  offset: number,
): LoadedTensor {
  const dtype = DTYPES.get(dtypeName);
  assert.ok(dtype);
  const source = new MemorySource(storage);
  const geometry = checkTensorGeometry('t', shape, strides, offset, dtype.itemsize, source.size);
  return {
    name: 't',
    dtype,
    parameter: false,
    storage: { key: '0', source, start: 0, nbytes: source.size, bigEndian: false },
    ...geometry,
  };
}

/** The view's C-order bytes, element by element. */
function reference(t: LoadedTensor, storage: Uint8Array): Uint8Array {
  const item = t.dtype.itemsize;
  const out = new Uint8Array(t.nbytes);
  const index = new Array<number>(t.shape.length).fill(0);
  for (let n = 0; n < t.numel; n++) {
    let at = t.storageOffset;
    for (let d = 0; d < t.shape.length; d++) at += (index[d] ?? 0) * (t.strides[d] ?? 0);
    out.set(storage.subarray(at * item, (at + 1) * item), n * item);
    for (let d = t.shape.length - 1; d >= 0; d--) {
      index[d] = (index[d] ?? 0) + 1;
      if ((index[d] ?? 0) < (t.shape[d] ?? 0)) break;
      index[d] = 0;
    }
  }
  return out;
}

async function gathered(t: LoadedTensor, budget: number, useWasm: boolean): Promise<Uint8Array> {
  const out = new Uint8Array(t.nbytes);
  const seen = new Uint8Array(t.nbytes);
  await new ViewGatherer(budget, useWasm).gather(t, (bytes, offset) => {
    out.set(bytes, offset);
    seen.fill(1, offset, offset + bytes.byteLength);
  });
  assert.ok(
    seen.every((b) => b === 1),
    'every output byte handed out',
  );
  return out;
}

/** A random permuted, stepped, sliced view of a dense storage. */
function randomView(next: () => number): { t: LoadedTensor; storage: Uint8Array; label: string } {
  const dtypes = ['float32', 'float64', 'bfloat16', 'int32', 'float16'];
  const dtypeName = dtypes[Math.floor(next() * dtypes.length)] ?? 'float32';
  const rank = 1 + Math.floor(next() * 4);
  const base = Array.from({ length: rank }, () => 1 + Math.floor(next() * 13));
  const step = base.map(() => (next() < 0.3 ? 2 : 1));
  const start = base.map((n) => (n > 2 && next() < 0.3 ? 1 : 0));
  const shape = base.map((n, d) => Math.max(1, Math.floor((n - (start[d] ?? 0)) / (step[d] ?? 1))));
  const dense = new Array<number>(rank);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    dense[d] = acc;
    acc *= base[d] ?? 1;
  }
  let offset = 0;
  for (let d = 0; d < rank; d++) offset += (start[d] ?? 0) * (dense[d] ?? 0);
  const strides = dense.map((s, d) => s * (step[d] ?? 1));
  // A random permutation of the dims (a transpose when rank 2).
  const order = [...shape.keys()].sort(() => next() - 0.5);
  const dtype = DTYPES.get(dtypeName);
  assert.ok(dtype);
  const storage = new Uint8Array(acc * dtype.itemsize).map((_, i) => (i * 131 + 7) & 0xff);
  const pshape = order.map((d) => shape[d] ?? 1);
  const pstrides = order.map((d) => strides[d] ?? 1);
  return {
    t: view(storage, dtypeName, pshape, pstrides, offset),
    storage,
    label: `${dtypeName} shape ${pshape.join('x')} strides ${pstrides.join(',')} offset ${offset}`,
  };
}

describe('reorder kernels', () => {
  it('the committed module is reorder.wat compiled', () => {
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
  });

  it('load in this Node (the gather uses them)', () => {
    const { memory } = alignedArena(1, 64 * 1024);
    assert.ok(memory);
    assert.ok(reorderKernels(memory));
  });

  it('transpose: 4 x 4 blocks and the edges left over', () => {
    const { memory, buffers } = alignedArena(2, 64 * 1024);
    assert.ok(memory);
    const k = reorderKernels(memory);
    assert.ok(k);
    const [a, b] = buffers;
    assert.ok(a && b);
    const src = new Uint32Array(a.buffer, a.byteOffset, 8192);
    const dst = new Uint32Array(b.buffer, b.byteOffset, 8192);
    for (const [rows, cols] of [
      [4, 4],
      [8, 12],
      [7, 9],
      [64, 66],
      [5, 3],
    ] as const) {
      src.forEach((_, i) => (src[i] = i * 2654435761));
      dst.fill(0xdeadbeef);
      // src is rows × cols (row-major); dst is its transpose, cols × rows.
      const r4 = rows - (rows % 4);
      const c4 = cols - (cols % 4);
      k.transpose(r4, cols * 4, c4, rows * 4, a.byteOffset, b.byteOffset);
      const s = a.byteOffset;
      const d = b.byteOffset;
      if (r4 < rows)
        k.scalar(rows - r4, cols * 4, 4, cols, 4, rows * 4, s + r4 * cols * 4, d + r4 * 4);
      if (c4 < cols)
        k.scalar(r4, cols * 4, 4, cols - c4, 4, rows * 4, s + c4 * 4, d + c4 * rows * 4);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          assert.equal(dst[j * rows + i], src[i * cols + j], `${rows}x${cols} at ${i},${j}`);
        }
      }
      assert.equal(dst[rows * cols], 0xdeadbeef, 'nothing written past the output');
    }
  });

  it('gathers 300 random views byte for byte like the JavaScript reorder and a plain walk', async () => {
    const next = random(0x5eed);
    for (let n = 0; n < 300; n++) {
      const { t, storage, label } = randomView(next);
      const want = reference(t, storage);
      // Budgets from a few elements (many blocks and pieces) to the whole view at once.
      const budget = [64, 256, 4096, 1 << 20][n % 4] ?? 64;
      assert.deepEqual(await gathered(t, budget, true), want, `wasm: ${label}, budget ${budget}`);
      assert.deepEqual(await gathered(t, budget, false), want, `js: ${label}, budget ${budget}`);
    }
  });
});
