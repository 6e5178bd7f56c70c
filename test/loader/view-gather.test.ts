import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySource } from '../../src/core/byte-source.js';
import { DTYPES } from '../../src/loader/dtype.js';
import { checkTensorGeometry } from '../../src/loader/storage-bounds.js';
import type { LoadedTensor } from '../../src/loader/tensor.js';
import { ViewGatherer } from '../../src/loader/view-gather.js';

// How the gatherer cuts views into blocks (issue 22 item 5): which reads it makes, which output
// runs it hands out, and that a sink writing asynchronously never sees a buffer reused early.

/** A memory source that records every read (offset, length). */
class CountingSource extends MemorySource {
  readonly reads: [number, number][] = [];
  override read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    return super.read(offset, length);
  }
}

function f32View(
  source: CountingSource,
  shape: number[],
  strides: number[],
  offset = 0,
): LoadedTensor {
  const dtype = DTYPES.get('float32');
  assert.ok(dtype);
  const size = source.size;
  const geometry = checkTensorGeometry('t', shape, strides, offset, 4, size);
  return {
    name: 't',
    dtype,
    parameter: false,
    storage: { key: '0', source, start: 0, nbytes: size, bigEndian: false },
    ...geometry,
  };
}

/** The view's C-order bytes, element by element. */
function reference(t: LoadedTensor, storage: Uint8Array): Uint8Array {
  const out = new Uint8Array(t.nbytes);
  const index = new Array<number>(t.shape.length).fill(0);
  for (let n = 0; n < t.numel; n++) {
    let at = t.storageOffset;
    for (let d = 0; d < t.shape.length; d++) at += (index[d] ?? 0) * (t.strides[d] ?? 0);
    out.set(storage.subarray(at * 4, at * 4 + 4), n * 4);
    for (let d = t.shape.length - 1; d >= 0; d--) {
      index[d] = (index[d] ?? 0) + 1;
      if ((index[d] ?? 0) < (t.shape[d] ?? 0)) break;
      index[d] = 0;
    }
  }
  return out;
}

function patterned(bytes: number): Uint8Array {
  return new Uint8Array(bytes).map((_, i) => (i * 29 + 11) & 0xff);
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

describe('ViewGatherer blocks', () => {
  it('writes a transpose as whole output rows, one read per source row of each block', async () => {
    // 8 rows of 5,000 float32: rows 20,000 bytes apart, so a column piece is read row by row
    // (gaps over 16 KiB are not read through). The transpose has 5,000 output rows of 32 bytes.
    const storage = patterned(8 * 5000 * 4);
    const source = new CountingSource(storage);
    const t = f32View(source, [5000, 8], [1, 5000]);
    const budget = 3200; // 100 output rows per block
    const out = new Uint8Array(t.nbytes);
    const runs: [number, number][] = [];
    await new ViewGatherer(budget).gather(t, (bytes, offset) => {
      runs.push([offset, bytes.byteLength]);
      out.set(bytes, offset);
    });
    assert.deepEqual(out, reference(t, storage));
    // In the output's order: 50 blocks, each one run of 100 whole rows, in order.
    assert.deepEqual(
      runs,
      Array.from({ length: 50 }, (_, i) => [i * 3200, 3200]),
    );
    // Each block: one read of its 100 columns from each of the 8 source rows.
    assert.equal(source.reads.length, 50 * 8);
    assert.ok(source.reads.every(([, length]) => length === 400));
  });

  it('cuts a permute of a small budget into whole output rows, reading each source run once', async () => {
    // (4, 6, 5) viewed as permute(1, 0, 2): an output row of 20 floats takes 5 floats from each
    // of the 4 source slabs. A 240-byte budget holds 3 output rows; reading their 4 pieces
    // through the gaps between them would take 420 bytes, so each piece is its own read.
    const storage = patterned(4 * 6 * 5 * 4);
    const source = new CountingSource(storage);
    const t = f32View(source, [6, 4, 5], [5, 30, 1]);
    const out = new Uint8Array(t.nbytes);
    const runs: [number, number][] = [];
    await new ViewGatherer(240).gather(t, (bytes, offset) => {
      runs.push([offset, bytes.byteLength]);
      out.set(bytes, offset);
    });
    assert.deepEqual(out, reference(t, storage));
    assert.deepEqual(runs, [
      [0, 240],
      [240, 240],
    ]);
    assert.equal(source.reads.length, 8);
    assert.ok(source.reads.every(([, length]) => length === 60));
  });

  it('reads runs one by one when reading through their small gaps would pass the budget', async () => {
    // Rows 4 KiB apart (gaps under 16 KiB): a whole column spans 2 MiB, over a 1 MiB budget.
    const rows = 512;
    const cols = 1024;
    const storage = patterned(rows * cols * 4);
    const source = new CountingSource(storage);
    const t = f32View(source, [cols, rows], [1, cols]);
    const budget = 1024 * 1024;
    const out = new Uint8Array(t.nbytes);
    const runs: number[] = [];
    await new ViewGatherer(budget).gather(t, (bytes, offset) => {
      runs.push(bytes.byteLength);
      out.set(bytes, offset);
    });
    assert.deepEqual(out, reference(t, storage));
    assert.ok(source.reads.every(([, length]) => length <= budget));
    const read = source.reads.reduce((a, [, length]) => a + length, 0);
    assert.equal(read, t.nbytes); // no gap read through
    assert.deepEqual(runs, [budget, budget]); // two blocks of 512 whole output rows
  });

  it('never reuses a buffer before the asynchronous write from it has settled', async () => {
    // The sink copies each run only when its promise settles, a tick later: a buffer refilled
    // before that would show up as wrong bytes. Transposed (tiles), stepped rows (the source
    // buffer as read) and a budget smaller than one tensor.
    const storage = patterned(64 * 300 * 4);
    // The third element: whether blocks are reordered into the two tiles, so that one block's
    // write overlaps the next block's gather (rows as read go out of the one source buffer).
    const cases: [number[], number[], boolean][] = [
      [[300, 64], [1, 300], true],
      [[32, 300], [600, 1], false],
      [[64, 150], [300, 2], true],
    ];
    for (const [shape, strides, tiled] of cases) {
      for (const budget of [1000, 4096, 1 << 20]) {
        const t = f32View(new CountingSource(storage), shape, strides);
        const out = new Uint8Array(t.nbytes);
        const gatherer = new ViewGatherer(budget);
        let pending = 0;
        let most = 0;
        await gatherer.gather(t, (bytes, offset) => {
          pending++;
          most = Math.max(most, pending);
          return tick().then(() => {
            out.set(bytes, offset);
            pending--;
          });
        });
        await gatherer.flush();
        assert.equal(pending, 0);
        assert.deepEqual(out, reference(t, storage), `${shape.join('x')} ${budget}`);
        if (budget === 1000) assert.equal(most > 1, tiled, 'writes overlapped');
      }
    }
  });

  it('reports a failed asynchronous write once every write has settled', async () => {
    const storage = patterned(64 * 300 * 4);
    const t = f32View(new CountingSource(storage), [300, 64], [1, 300]);
    const gatherer = new ViewGatherer(1000);
    let settled = 0;
    let started = 0;
    const failure = new Error('disk full');
    const run = async (): Promise<void> => {
      await gatherer.gather(t, () => {
        const n = started++;
        return tick().then(() => {
          settled++;
          if (n === 3) throw failure;
        });
      });
      await gatherer.flush();
    };
    await assert.rejects(run(), (e: unknown) => e === failure);
    await gatherer.flush(); // nothing left in flight, nothing left to report
    assert.equal(settled, started);
  });
});
