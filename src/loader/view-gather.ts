import { alignedArena, alignedBuffer } from './aligned-memory.js';
import { reorderKernels, type ReorderKernels } from './reorder-kernels.js';
import type { LoadedTensor } from './tensor.js';
import { readStorage, swapBytes } from './storage-read.js';

/**
 * Default memory budget of a gather, per buffer: the source block read from the storage and the
 * block of output it is reordered into each hold at most this many bytes. A transposed 256 MiB
 * float32 matrix is then read in 8 reads of 32 MiB and written as output runs of 4 KiB, instead of
 * 131,072 reads of 2 KiB (bench/convert.mjs, views input).
 */
export const VIEW_BLOCK_BYTES = 32 * 1024 * 1024;
/**
 * Bytes of storage a read may skip between two needed runs: reading past a gap this small from
 * the page cache costs about one read call, so runs closer than this are read as one.
 */
const MAX_GAP = 16 * 1024;

/**
 * Receives one run of a tensor's output bytes (little-endian, C order) and where it goes. A sink
 * that writes asynchronously returns the write's promise: the gatherer leaves that buffer alone
 * until it settles, so the write overlaps the next block's read and reorder.
 */
export type GatherSink = (bytes: Uint8Array, outputOffset: number) => Promise<void> | void;

/** Typed views of one buffer, so the reorder moves whole words. */
interface Words {
  readonly bytes: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
}

function wordsOf(bytes: Uint8Array): Words {
  const { buffer, byteOffset, byteLength } = bytes;
  return {
    bytes,
    u16: new Uint16Array(buffer, byteOffset, byteLength >>> 1),
    u32: new Uint32Array(buffer, byteOffset, byteLength >>> 2),
  };
}

/**
 * Gathers strided views (transposed, stepped, sliced, broadcast) in big blocks: the storage is
 * walked in its own order (dimensions by descending stride), each block read with one positioned
 * read per run of needed bytes (runs closer than 16 KiB are read as one), reordered in memory into
 * C order (by the WebAssembly kernels of reorder.wat where the words are 4 bytes wide, else in
 * JavaScript), and handed to the sink as contiguous output runs, which may come out of order.
 * Memory is three buffers of at most `blockBytes` each (the source block and two output tiles),
 * reused across tensors.
 */
export class ViewGatherer {
  /**
   * The three buffers (source, then two output tiles: one may be written by the sink while the
   * other is filled), carved from one WebAssembly memory of 3 × blockBytes on first use, with the
   * reorder kernels bound to it; pages are committed only as blocks touch them.
   */
  private arena: { regions: Words[]; kernels: ReorderKernels | undefined } | undefined;
  /** Buffers used instead of a region when a block would not fit it (the plan never asks). */
  private readonly oversized: (Words | undefined)[] = [undefined, undefined, undefined];
  private source: Words | undefined;
  private nextTile = 0;
  /** Writes in flight from each buffer: the source (0) and the two tiles (1, 2). */
  private readonly busy: (Promise<void> | undefined)[] = [undefined, undefined, undefined];

  constructor(
    /** Budget of each of the two buffers (@internal: tests set a tiny one). */
    readonly blockBytes: number = VIEW_BLOCK_BYTES,
    /** @internal False reorders in JavaScript only (tests compare both paths). */
    private readonly useWasm = true,
  ) {
    if (!Number.isSafeInteger(blockBytes) || blockBytes < 16) {
      throw new RangeError(`gather block of ${blockBytes} bytes`);
    }
  }

  /**
   * Sends every byte of `tensor` to `sink` exactly once, as runs with their offsets in the
   * tensor's C-order output. Throws LoadError('INVALID_STORAGE') when the storage ends early.
   */
  async gather(tensor: LoadedTensor, sink: GatherSink): Promise<void> {
    if (tensor.numel === 0) return;
    const plan = planView(tensor, this.blockBytes);
    const item = tensor.dtype.itemsize;
    const { storage } = tensor;
    const k = plan.cut;
    // Odometer over the storage-order dims above the cut, and pieces of the cut dim.
    const fixed = new Array<number>(k).fill(0);
    const cutDim = plan.order[k] ?? 0;
    const cutSize = plan.size[cutDim] ?? 1;
    for (;;) {
      for (let l0 = 0; l0 < cutSize; l0 += plan.piece) {
        const len = Math.min(plan.piece, cutSize - l0);
        const csize = [...plan.size];
        let srcBase = tensor.storageOffset;
        let outBase = 0;
        for (let j = 0; j < k; j++) {
          const d = plan.order[j] ?? 0;
          csize[d] = 1;
          srcBase += (fixed[j] ?? 0) * (plan.stride[d] ?? 0);
          outBase += (fixed[j] ?? 0) * (plan.outStride[d] ?? 0);
        }
        csize[cutDim] = len;
        srcBase += l0 * (plan.stride[cutDim] ?? 0);
        outBase += l0 * (plan.outStride[cutDim] ?? 0);
        await this.idle(0);
        const srcStrides = await this.readBlock(plan, csize, srcBase, tensor);
        const tileNumel = csize.reduce((a, b) => a * b, 1);
        const tileBytes = tileNumel * item;
        const tileStrides = cOrderStrides(csize);
        const src = this.source;
        if (src === undefined) throw new Error('gather source buffer missing');
        let out: Uint8Array;
        let slot = 0;
        if (sameLayout(csize, srcStrides, tileStrides)) {
          // The block as read is already in output order (a slice or a stepped row view).
          out = src.bytes.subarray(0, tileBytes);
        } else {
          const t = this.nextTile;
          this.nextTile = 1 - t;
          slot = 1 + t;
          await this.idle(slot);
          const tile = this.buffer(slot, tileBytes);
          reorder(src, srcStrides, tile, tileStrides, csize, item, this.arena?.kernels);
          out = tile.bytes.subarray(0, tileBytes);
        }
        if (storage.bigEndian) swapBytes(out, tensor.dtype.swapUnit);
        const writes = emitRuns(out, csize, plan.size, plan.outStride, outBase, item, sink);
        if (writes.length > 0) this.busy[slot] = allSettled(writes);
      }
      // Next combination of the fixed dims.
      let j = k - 1;
      for (; j >= 0; j--) {
        const d = plan.order[j] ?? 0;
        fixed[j] = (fixed[j] ?? 0) + 1;
        if ((fixed[j] ?? 0) < (plan.size[d] ?? 1)) break;
        fixed[j] = 0;
      }
      if (j < 0) break;
    }
  }

  /**
   * Waits for every write a sink started; throws the first failure. Call it before the output is
   * closed: a tensor's last blocks may still be in flight when {@link gather} returns.
   */
  async flush(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (let slot = 0; slot < this.busy.length; slot++) {
      try {
        await this.idle(slot);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  /** Buffer `slot` (0: source, 1 and 2: tiles) with room for `bytes`. */
  private buffer(slot: number, bytes: number): Words {
    if (this.arena === undefined) {
      const { memory, buffers } = alignedArena(3, roundWords(this.blockBytes));
      this.arena = {
        regions: buffers.map(wordsOf),
        kernels: memory === undefined || !this.useWasm ? undefined : reorderKernels(memory),
      };
    }
    const region = this.arena.regions[slot];
    if (region !== undefined && region.bytes.byteLength >= bytes) return region;
    const grown = grow(this.oversized[slot], bytes);
    this.oversized[slot] = grown;
    return grown;
  }

  /** Waits for the writes from buffer `slot` to settle; throws their first failure. */
  private async idle(slot: number): Promise<void> {
    const pending = this.busy[slot];
    if (pending === undefined) return;
    this.busy[slot] = undefined;
    await pending;
  }

  /**
   * Reads the block (`csize`: the view restricted to one block, in output dims) starting at storage
   * element `srcBase` into the source buffer, one positioned read per unit of its footprint;
   * returns the strides of its elements there.
   */
  private async readBlock(
    plan: ViewPlan,
    csize: readonly number[],
    srcBase: number,
    tensor: LoadedTensor,
  ): Promise<number[]> {
    const item = tensor.dtype.itemsize;
    const { storage } = tensor;
    const fp = footprint(csize, plan.stride, item, this.blockBytes);
    const strides = [...plan.stride];
    this.source = this.buffer(0, fp.bytes);
    const bytes = this.source.bytes;
    const unitBytes = fp.unitSpan * item;
    if (fp.unit === 0) {
      await readStorage(
        storage.source,
        storage.start + srcBase * item,
        bytes.subarray(0, unitBytes),
      );
      return strides;
    }
    // One read per index of the dims order[0 .. unit-1] (runs far apart), packed in that order.
    const unitDims = fp.order.slice(0, fp.unit);
    let packed = fp.unitSpan;
    for (let i = unitDims.length - 1; i >= 0; i--) {
      const d = unitDims[i] ?? 0;
      strides[d] = packed;
      packed *= csize[d] ?? 1;
    }
    const index = new Array<number>(unitDims.length).fill(0);
    for (let u = 0; u < fp.units; u++) {
      let at = srcBase;
      for (let i = 0; i < unitDims.length; i++) {
        at += (index[i] ?? 0) * (plan.stride[unitDims[i] ?? 0] ?? 0);
      }
      await readStorage(
        storage.source,
        storage.start + at * item,
        bytes.subarray(u * unitBytes, (u + 1) * unitBytes),
      );
      for (let i = unitDims.length - 1; i >= 0; i--) {
        index[i] = (index[i] ?? 0) + 1;
        if ((index[i] ?? 0) < (csize[unitDims[i] ?? 0] ?? 1)) break;
        index[i] = 0;
      }
    }
    return strides;
  }
}

/**
 * Where a block's elements lie in the storage and how they are read: its dims of size > 1 by
 * descending stride (`order`), of which order[unit ..] are read as one contiguous span of
 * `unitSpan` elements (their gaps are all small, and reading through them keeps the block within
 * the budget) and order[0 .. unit-1] one read per index (`units` reads, `bytes` in all).
 */
interface Footprint {
  readonly order: readonly number[];
  readonly unit: number;
  readonly unitSpan: number;
  readonly units: number;
  readonly bytes: number;
}

function footprint(
  csize: readonly number[],
  stride: readonly number[],
  item: number,
  budget: number,
): Footprint {
  const order = [...csize.keys()]
    .filter((d) => (csize[d] ?? 1) > 1)
    .sort((a, b) => (stride[b] ?? 0) - (stride[a] ?? 0) || a - b);
  const m = order.length;
  // spanFrom[j]: elements spanned by dims order[j ..] (1 for none).
  const spanFrom = new Array<number>(m + 1).fill(1);
  for (let j = m - 1; j >= 0; j--) {
    const d = order[j] ?? 0;
    spanFrom[j] = (spanFrom[j + 1] ?? 1) + ((csize[d] ?? 1) - 1) * (stride[d] ?? 0);
  }
  // The read unit: the longest storage-order suffix whose gaps are all small.
  let unit = m;
  while (
    unit > 0 &&
    ((stride[order[unit - 1] ?? 0] ?? 0) - (spanFrom[unit] ?? 1)) * item <= MAX_GAP
  ) {
    unit--;
  }
  // Reading through small gaps must not take the block over the budget: read more runs instead.
  let units = 1;
  for (let j = 0; j < unit; j++) units *= csize[order[j] ?? 0] ?? 1;
  while (unit < m && units * (spanFrom[unit] ?? 1) * item > budget) {
    units *= csize[order[unit] ?? 0] ?? 1;
    unit++;
  }
  const unitSpan = spanFrom[unit] ?? 1;
  return { order, unit, unitSpan, units, bytes: units * unitSpan * item };
}

function grow(words: Words | undefined, bytes: number): Words {
  if (words !== undefined && words.bytes.byteLength >= bytes) return words;
  return wordsOf(alignedBuffer(roundWords(bytes)));
}

/** Page-aligned buffers rounded to whole words: reads and the kernel's copies run fastest so. */
function roundWords(bytes: number): number {
  return Math.ceil(Math.max(bytes, 64) / 8) * 8;
}

/**
 * How a view is cut into blocks. Dimensions are in output order after dropping size-1 ones and
 * merging neighbours that are contiguous with each other; `order` is the order in which the
 * blocks walk them: by descending stride (the storage's order) or the output's own order,
 * whichever {@link planView} estimates cheaper. A block fixes one index of each of
 * order[0 .. cut-1], takes `piece` consecutive indices of order[cut] and every index of the dims
 * after it; its footprint in the storage is read as {@link footprint} says.
 */
interface ViewPlan {
  readonly size: readonly number[];
  readonly stride: readonly number[];
  readonly outStride: readonly number[];
  readonly order: readonly number[];
  readonly cut: number;
  readonly piece: number;
}

/**
 * The view's dimensions with size-1 dimensions dropped and neighbours that are contiguous with
 * each other merged (in elements; empty for a single element).
 */
export function mergedDims(tensor: LoadedTensor): { size: number[]; stride: number[] } {
  const size: number[] = [];
  const stride: number[] = [];
  for (let i = 0; i < tensor.shape.length; i++) {
    const s = tensor.shape[i] ?? 1;
    const t = tensor.strides[i] ?? 0;
    if (s === 1) continue;
    const last = size.length - 1;
    if (last >= 0 && stride[last] === t * s) {
      size[last] = (size[last] ?? 1) * s;
      stride[last] = t;
    } else {
      size.push(s);
      stride.push(t);
    }
  }
  return { size, stride };
}

/**
 * Estimated costs of a gather, in microseconds, measured on the bench VM (Node 20, ext4, page
 * cache warm): a positioned read call from the page cache ~4 µs plus ~0.4 ns per byte; a write
 * call to a run of the output not adjacent to the previous one ~15 µs more than the same bytes
 * written in order (256 MiB as 65,536 scattered 4 KiB writes: 0.94-1.15 s; as 8,192 reads of
 * 4 KiB each packed into whole output rows and written in order: 0.39-0.57 s).
 */
const READ_CALL_US = 4;
const READ_BYTE_US = 0.0004;
const WRITE_RUN_US = 15;

/**
 * Plans the blocks of a gather within `budget` bytes per buffer. Two walks are weighed: in the
 * storage's order (each block one dense read, its output scattered in runs: a transposed matrix
 * gives output runs as long as the block has source rows) and in the output's order (each block
 * whole output rows written as one run, its source read one run per source row). The cheaper by
 * the estimate above wins; ties keep the storage's order.
 */
function planView(tensor: LoadedTensor, budget: number): ViewPlan {
  const item = tensor.dtype.itemsize;
  const { size, stride } = mergedDims(tensor);
  if (size.length === 0) {
    size.push(1);
    stride.push(1);
  }
  const outStride = cOrderStrides(size);
  const storageOrder = [...size.keys()].sort(
    (a, b) => (stride[b] ?? 0) - (stride[a] ?? 0) || a - b,
  );
  const best = planWalk(size, stride, storageOrder, item, budget);
  const outputOrder = [...size.keys()];
  if (outputOrder.every((d, j) => storageOrder[j] === d)) return { ...best.plan, outStride };
  const other = planWalk(size, stride, outputOrder, item, budget);
  return { ...(other.cost < best.cost ? other.plan : best.plan), outStride };
}

/** The cut and piece of a walk in `order`, and its estimated cost. */
function planWalk(
  size: readonly number[],
  stride: readonly number[],
  order: readonly number[],
  item: number,
  budget: number,
): { plan: Omit<ViewPlan, 'outStride'>; cost: number } {
  const n = order.length;
  const block = (j: number, len: number): number[] => {
    const csize = [...size];
    for (let i = 0; i < j; i++) csize[order[i] ?? 0] = 1;
    csize[order[j] ?? 0] = len;
    return csize;
  };
  // Within the budget, reading through small gaps; with `split`, also by reading more runs.
  const fits = (j: number, len: number, split: boolean): boolean => {
    const csize = block(j, len);
    const numel = csize.reduce((a, b) => a * b, 1);
    return (
      numel * item <= budget &&
      footprint(csize, stride, item, split ? budget : Infinity).bytes <= budget
    );
  };
  let cut = 0;
  while (cut < n - 1 && !fits(cut, 1, true)) cut++;
  // The largest piece within the budget (both buffers grow with it). Where one index fits as
  // read (gaps read through), so must the piece: splitting a dense read into many small ones to
  // take more indices costs more than it saves. Otherwise the piece is read in runs at least as
  // long as one index's.
  const dense = fits(cut, 1, false);
  const run = footprint(block(cut, 1), stride, item, budget).unitSpan;
  const ok = (len: number): boolean =>
    dense
      ? fits(cut, len, false)
      : fits(cut, len, true) && footprint(block(cut, len), stride, item, budget).unitSpan >= run;
  let lo = 1;
  let hi = size[order[cut] ?? 0] ?? 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  const piece = lo;
  const csize = block(cut, piece);
  const fp = footprint(csize, stride, item, budget);
  let blocks = Math.ceil((size[order[cut] ?? 0] ?? 1) / piece);
  for (let i = 0; i < cut; i++) blocks *= size[order[i] ?? 0] ?? 1;
  const cost =
    blocks *
    (fp.units * READ_CALL_US + fp.bytes * READ_BYTE_US + outputRuns(csize, size) * WRITE_RUN_US);
  return { plan: { size, stride, order, cut, piece }, cost };
}

/** How many contiguous output runs a block of `csize` makes (see {@link emitRuns}). */
function outputRuns(csize: readonly number[], size: readonly number[]): number {
  let p = csize.length - 1;
  while (p >= 0 && csize[p] === size[p]) p--;
  let runs = 1;
  for (let i = 0; i < p; i++) runs *= csize[i] ?? 1;
  return runs;
}

function cOrderStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = acc;
    acc *= shape[i] ?? 1;
  }
  return out;
}

/** True when every dim of size > 1 has the same stride in both layouts. */
function sameLayout(shape: readonly number[], a: readonly number[], b: readonly number[]): boolean {
  for (let d = 0; d < shape.length; d++) if ((shape[d] ?? 1) > 1 && a[d] !== b[d]) return false;
  return true;
}

/** Sends the block's C-order bytes to `sink` as the longest runs that are contiguous in output. */
function emitRuns(
  out: Uint8Array,
  csize: readonly number[],
  size: readonly number[],
  outStride: readonly number[],
  outBase: number,
  item: number,
  sink: GatherSink,
): Promise<void>[] {
  // Dims after p are whole in the block; dim p (the last partial one) is inside each run too.
  let p = csize.length - 1;
  while (p >= 0 && csize[p] === size[p]) p--;
  const outer = Math.max(p, 0);
  let run = 1;
  for (let i = outer; i < csize.length; i++) run *= csize[i] ?? 1;
  const index = new Array<number>(outer).fill(0);
  const runBytes = run * item;
  const writes: Promise<void>[] = [];
  for (let at = 0; at < out.byteLength; at += runBytes) {
    let offset = outBase;
    for (let i = 0; i < outer; i++) offset += (index[i] ?? 0) * (outStride[i] ?? 0);
    const write = sink(out.subarray(at, at + runBytes), offset * item);
    if (write instanceof Promise) writes.push(write);
    for (let i = outer - 1; i >= 0; i--) {
      index[i] = (index[i] ?? 0) + 1;
      if ((index[i] ?? 0) < (csize[i] ?? 1)) break;
      index[i] = 0;
    }
  }
  return writes;
}

/**
 * One promise for a block's writes that settles only when all of them have (so no write still
 * uses the buffer), rejecting with the first failure. It is marked handled at once: the gatherer
 * awaits it before the buffer is reused, or in {@link ViewGatherer.flush}.
 */
function allSettled(writes: readonly Promise<void>[]): Promise<void> {
  const all = Promise.allSettled(writes).then((outcomes) => {
    for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
  });
  all.catch(() => undefined);
  return all;
}

/**
 * Copies the block from the source buffer (element strides `srcStrides`) into the tile in C
 * order, moving the widest words (4, 2 or 1 bytes) that every stride and the contiguous inner run
 * allow: a float32 transpose moves 4-byte words, a bfloat16 permute that keeps rows of 64 values
 * moves those rows as 32 four-byte words.
 */
function reorder(
  src: Words,
  srcStrides: readonly number[],
  dst: Words,
  dstStrides: readonly number[],
  shape: readonly number[],
  item: number,
  kernels: ReorderKernels | undefined,
): void {
  // Dimensions in bytes, the element's own bytes last, merged where contiguous on both sides.
  const dims: Dim[] = [];
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i] ?? 1;
    if (n > 1) dims.push({ n, s: (srcStrides[i] ?? 0) * item, d: (dstStrides[i] ?? 0) * item });
  }
  dims.push({ n: item, s: 1, d: 1 });
  const merged: Dim[] = [];
  for (const dim of dims) {
    const last = merged[merged.length - 1];
    if (last?.s === dim.s * dim.n && last.d === dim.d * dim.n) {
      last.n *= dim.n;
      last.s = dim.s;
      last.d = dim.d;
    } else merged.push({ ...dim });
  }
  // The last dim is now the contiguous run of bytes (s = d = 1); every other stride is a byte
  // offset. The word must divide all of them.
  let word = 4;
  for (const m of merged) {
    const parts = m.s === 1 && m.d === 1 ? [m.n] : [m.s, m.d];
    while (word > 1 && parts.some((v) => v % word !== 0)) word >>= 1;
  }
  const words: Dim[] = [];
  for (const m of merged) {
    const dense = m.s === 1 && m.d === 1;
    const w = dense ? { n: m.n / word, s: 1, d: 1 } : { n: m.n, s: m.s / word, d: m.d / word };
    if (w.n > 1) words.push(w);
  }
  if (words.length === 0) words.push({ n: 1, s: 1, d: 1 });
  if (word === 4 && kernels !== undefined && src.bytes.buffer === dst.bytes.buffer) {
    copyWordsWasm(kernels, src.bytes.byteOffset, dst.bytes.byteOffset, words);
  } else if (word === 4) copyWords(src.u32, dst.u32, words);
  else if (word === 2) copyWords(src.u16, dst.u16, words);
  else copyWords(src.bytes, dst.bytes, words);
}

type WordArray = Uint8Array | Uint16Array | Uint32Array;

/** One dimension of a reorder: size, source stride and output stride, in words. */
interface Dim {
  n: number;
  s: number;
  d: number;
}

/**
 * Copies words between two strided layouts. The dimension with the smallest output stride is
 * walked innermost (sequential writes) and the one with the smallest source stride next, in
 * TILE × TILE tiles so that a transpose reads and writes within the cache; every other dimension
 * is an outer loop.
 */
function copyWords(src: WordArray, dst: WordArray, dims: readonly Dim[]): void {
  planes(dims, (inner, next, sb, db) => {
    // Long dense rows by `set`; short ones (a head of 64 bfloat16) cost less as a plain loop.
    if (inner.s === 1 && inner.d === 1 && inner.n >= 256) {
      for (let j = 0; j < next.n; j++) {
        const so = sb + j * next.s;
        dst.set(src.subarray(so, so + inner.n), db + j * next.d);
      }
    } else {
      tile2(src, dst, inner.n, inner.s, inner.d, next.n, next.s, next.d, sb, db);
    }
  });
}

/**
 * copyWords for 4-byte words of one WebAssembly memory (source at byte `srcAt`, tile at
 * `dstAt`), through the kernels of reorder.wat: dense runs copied 16 bytes at a time, a transpose
 * in 4 × 4 SIMD blocks (its edges word by word), anything else word by word in tiles. Measured
 * alone on an 8192 × 8192 float32 transpose (bench VM under load): 120-200 ms against 410-450 ms
 * for the JavaScript tiles.
 */
function copyWordsWasm(
  k: ReorderKernels,
  srcAt: number,
  dstAt: number,
  dims: readonly Dim[],
): void {
  planes(dims, (inner, next, sb, db) => {
    const [si, di, sj, dj] = [inner.s * 4, inner.d * 4, next.s * 4, next.d * 4];
    const s = srcAt + sb * 4;
    const d = dstAt + db * 4;
    if (inner.s === 1 && inner.d === 1) {
      k.rows(inner.n, next.n, sj, dj, s, d);
    } else if (inner.d === 1 && next.s === 1 && inner.n >= 4 && next.n >= 4) {
      const ni4 = inner.n - (inner.n % 4);
      const nj4 = next.n - (next.n % 4);
      k.transpose(ni4, si, nj4, dj, s, d);
      if (ni4 < inner.n)
        k.scalar(inner.n - ni4, si, di, next.n, sj, dj, s + ni4 * si, d + ni4 * di);
      if (nj4 < next.n) k.scalar(ni4, si, di, next.n - nj4, sj, dj, s + nj4 * sj, d + nj4 * dj);
    } else {
      k.scalar(inner.n, si, di, next.n, sj, dj, s, d);
    }
  });
}

/**
 * Splits a reorder into 2-D planes: the dimension with the smallest output stride is walked
 * innermost (sequential writes) and the one with the smallest source stride next, so that a
 * transpose reads and writes within the cache; every other dimension is an outer loop, and
 * `plane` is called once per combination of their indices with its word offsets.
 */
function planes(
  dims: readonly Dim[],
  plane: (inner: Dim, next: Dim, sb: number, db: number) => void,
): void {
  let a = 0;
  for (let i = 1; i < dims.length; i++) if ((dims[i]?.d ?? 0) < (dims[a]?.d ?? 0)) a = i;
  let b = -1;
  for (let i = 0; i < dims.length; i++) {
    if (i !== a && (b < 0 || (dims[i]?.s ?? 0) < (dims[b]?.s ?? 0))) b = i;
  }
  const inner = dims[a] ?? { n: 1, s: 1, d: 1 };
  const next = b < 0 ? { n: 1, s: 0, d: 0 } : (dims[b] ?? { n: 1, s: 0, d: 0 });
  const outer = dims.filter((_, i) => i !== a && i !== b);
  const index = new Array<number>(outer.length).fill(0);
  for (;;) {
    let sb = 0;
    let db = 0;
    for (let i = 0; i < outer.length; i++) {
      sb += (index[i] ?? 0) * (outer[i]?.s ?? 0);
      db += (index[i] ?? 0) * (outer[i]?.d ?? 0);
    }
    plane(inner, next, sb, db);
    let i = outer.length - 1;
    for (; i >= 0; i--) {
      index[i] = (index[i] ?? 0) + 1;
      if ((index[i] ?? 0) < (outer[i]?.n ?? 1)) break;
      index[i] = 0;
    }
    if (i < 0) return;
  }
}

/** Side of a square tile of the 2-D reorder (64 × 64 words: 16 KiB per side at most). */
const TILE = 64;

/** dst[db + i·di + j·dj] = src[sb + i·si + j·sj] for i < ni, j < nj, tile by tile, i innermost. */
function tile2(
  src: WordArray,
  dst: WordArray,
  ni: number,
  si: number,
  di: number,
  nj: number,
  sj: number,
  dj: number,
  sb: number,
  db: number,
): void {
  for (let j0 = 0; j0 < nj; j0 += TILE) {
    const j1 = Math.min(nj, j0 + TILE);
    for (let i0 = 0; i0 < ni; i0 += TILE) {
      const i1 = Math.min(ni, i0 + TILE);
      for (let j = j0; j < j1; j++) {
        let so = sb + j * sj + i0 * si;
        let dOff = db + j * dj + i0 * di;
        for (let i = i0; i < i1; i++) {
          dst[dOff] = src[so] ?? 0;
          so += si;
          dOff += di;
        }
      }
    }
  }
}
