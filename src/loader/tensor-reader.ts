import { readStorage, swapBytes } from './storage-read.js';
import type { LoadedTensor } from './tensor.js';
import { mergedDims, VIEW_BLOCK_BYTES, ViewGatherer } from './view-gather.js';

export { readStorage, swapBytes } from './storage-read.js';

/** Largest single read of a strided gather. */
const GATHER_READ_MAX = 8 * 1024 * 1024;
/** Reads this small (one page) are done even when most of the bytes are skipped. */
const GATHER_SMALL = 4096;

/**
 * Streams one tensor's elements in C order as little-endian bytes, chunk by chunk into buffers the
 * caller owns, so memory stays bounded whatever the tensor size. Contiguous tensors are copied as
 * one storage range; strided views are gathered in blocks of at most 16 MiB through reads of at
 * most 8 MiB.
 * Throws LoadError('INVALID_STORAGE') when the file ends inside the storage.
 */
export class TensorReader {
  private produced = 0;
  private readonly plan: GatherPlan | undefined;
  private temp: Uint8Array | undefined;
  private block = 0;
  private blockBuffer: Uint8Array | undefined;
  /** Gathered bytes not handed out yet (a window of blockBuffer). */
  private gathered: Uint8Array = new Uint8Array(0);

  constructor(readonly tensor: LoadedTensor) {
    this.plan = tensor.contiguous ? undefined : planGather(tensor);
  }

  /** Bytes still to come. */
  get remaining(): number {
    return this.tensor.nbytes - this.produced;
  }

  /**
   * Fills `target` from the start with the next bytes of the tensor and returns how many it wrote
   * (0 at the end). `target.byteLength` must be a multiple of the dtype's item size.
   */
  async next(target: Uint8Array): Promise<number> {
    const { tensor } = this;
    const item = tensor.dtype.itemsize;
    if (target.byteLength % item !== 0 || target.byteLength === 0) {
      throw new RangeError(`chunk of ${target.byteLength} bytes for item size ${item}`);
    }
    if (this.remaining === 0) return 0;
    let n: number;
    if (this.plan === undefined) {
      n = Math.min(target.byteLength, this.remaining);
      const at = tensor.storage.start + tensor.storageOffset * item + this.produced;
      await readStorage(tensor.storage.source, at, target.subarray(0, n));
    } else {
      // Gathered blocks are larger than a copy chunk: serve them out of the block buffer.
      if (this.gathered.byteLength === 0) {
        this.blockBuffer ??= new Uint8Array(GATHER_BLOCK_MAX);
        this.gathered = this.blockBuffer.subarray(
          0,
          await this.gatherChunk(this.plan, this.blockBuffer),
        );
      }
      n = Math.min(target.byteLength, this.gathered.byteLength);
      target.set(this.gathered.subarray(0, n));
      this.gathered = this.gathered.subarray(n);
    }
    if (tensor.storage.bigEndian) swapBytes(target.subarray(0, n), tensor.dtype.swapUnit);
    this.produced += n;
    return n;
  }

  private async gatherChunk(plan: GatherPlan, target: Uint8Array): Promise<number> {
    const item = this.tensor.dtype.itemsize;
    const strides = [plan.cutStride, ...plan.innerStrides];
    let written = 0;
    while (this.block < plan.blocks) {
      const { base, length } = blockAt(plan, this.block);
      const shape = [length, ...plan.innerShape];
      const bytes = shape.reduce((a, b) => a * b, 1) * item;
      if (written + bytes > target.byteLength) break;
      await this.gatherView(shape, strides, base, target, cOrderStrides(shape), written / item);
      written += bytes;
      this.block++;
    }
    if (written === 0) throw new RangeError('chunk smaller than one gather block');
    return written;
  }

  /** Copies the view (shape, strides, base: elements of the storage) into `out` at `dstBase`. */
  private async gatherView(
    shape: number[],
    strides: readonly number[],
    base: number,
    out: Uint8Array,
    dstStrides: readonly number[],
    dstBase: number,
  ): Promise<void> {
    const item = this.tensor.dtype.itemsize;
    let span = 1;
    let numel = 1;
    for (let i = 0; i < shape.length; i++) {
      const s = shape[i] ?? 0;
      if (s === 0) return;
      span += (s - 1) * (strides[i] ?? 0);
      numel *= s;
    }
    const spanBytes = span * item;
    if (spanBytes <= GATHER_READ_MAX && (numel * 4 >= span || spanBytes <= GATHER_SMALL)) {
      this.temp ??= new Uint8Array(GATHER_READ_MAX);
      const tmp = this.temp.subarray(0, spanBytes);
      const { storage } = this.tensor;
      await readStorage(storage.source, storage.start + base * item, tmp);
      stridedCopy(tmp, shape, strides, 0, out, dstStrides, dstBase, item, 0);
      return;
    }
    // Too sparse or too wide for one read: halve the dimension with the largest stride.
    let d = 0;
    for (let i = 1; i < shape.length; i++) {
      if ((shape[i] ?? 0) > 1 && ((strides[i] ?? 0) > (strides[d] ?? 0) || (shape[d] ?? 0) <= 1))
        d = i;
    }
    const size = shape[d] ?? 1;
    const half = Math.floor(size / 2);
    const first = [...shape];
    first[d] = half;
    const second = [...shape];
    second[d] = size - half;
    await this.gatherView(first, strides, base, out, dstStrides, dstBase);
    await this.gatherView(
      second,
      strides,
      base + half * (strides[d] ?? 0),
      out,
      dstStrides,
      dstBase + half * (dstStrides[d] ?? 0),
    );
  }
}

/**
 * How a strided tensor is cut into output blocks of at most GATHER_BLOCK_MAX bytes: the trailing
 * dimensions that fit whole, plus a range of the dimension before them (so a transposed matrix is
 * gathered many rows at a time, from one dense read, instead of a sparse read per row).
 */
interface GatherPlan {
  /** Dimensions above the cut dimension, iterated block by block. */
  readonly outerShape: readonly number[];
  readonly outerStrides: readonly number[];
  /** Trailing dimensions copied whole. */
  readonly innerShape: readonly number[];
  readonly innerStrides: readonly number[];
  /** The cut dimension's size and stride (1 and 0 when everything fits in one block). */
  readonly cutSize: number;
  readonly cutStride: number;
  /** Indices of the cut dimension per block. */
  readonly pieceLength: number;
  readonly piecesPerRow: number;
  readonly blocks: number;
  readonly offset: number;
}

/** Block size: one gather block never exceeds this many bytes of output. */
// 16 MiB: a transposed matrix is gathered as runs of (16 MiB / row bytes) elements, so the
// reads stay few (a 512 MB transpose: 1 MiB blocks took 27 s in 128-byte reads).
export const GATHER_BLOCK_MAX = 16 * 1024 * 1024;

function planGather(tensor: LoadedTensor): GatherPlan {
  const item = tensor.dtype.itemsize;
  const { size: shape, stride: strides } = mergedDims(tensor);
  let q = shape.length;
  let inner = item;
  while (q > 0 && inner * (shape[q - 1] ?? 1) <= GATHER_BLOCK_MAX) {
    inner *= shape[q - 1] ?? 1;
    q--;
  }
  const cut = q - 1;
  const cutSize = cut >= 0 ? (shape[cut] ?? 1) : 1;
  const pieceLength = Math.max(1, Math.floor(GATHER_BLOCK_MAX / inner));
  const piecesPerRow = Math.ceil(cutSize / pieceLength);
  const outerShape = shape.slice(0, Math.max(0, cut));
  return {
    outerShape,
    outerStrides: strides.slice(0, Math.max(0, cut)),
    innerShape: shape.slice(q),
    innerStrides: strides.slice(q),
    cutSize,
    cutStride: cut >= 0 ? (strides[cut] ?? 0) : 0,
    pieceLength,
    piecesPerRow,
    blocks: outerShape.reduce((a, b) => a * b, 1) * piecesPerRow,
    offset: tensor.storageOffset,
  };
}

/** Storage element offset and cut-dimension length of block `index`. */
function blockAt(plan: GatherPlan, index: number): { base: number; length: number } {
  let rest = Math.floor(index / plan.piecesPerRow);
  const piece = index % plan.piecesPerRow;
  let base = plan.offset;
  for (let i = plan.outerShape.length - 1; i >= 0; i--) {
    const s = plan.outerShape[i] ?? 1;
    base += (rest % s) * (plan.outerStrides[i] ?? 0);
    rest = Math.floor(rest / s);
  }
  const start = piece * plan.pieceLength;
  return {
    base: base + start * plan.cutStride,
    length: Math.min(plan.pieceLength, plan.cutSize - start),
  };
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

/** Element-wise copy between two strided views (offsets and strides in elements). */
function stridedCopy(
  src: Uint8Array,
  shape: readonly number[],
  srcStrides: readonly number[],
  srcBase: number,
  dst: Uint8Array,
  dstStrides: readonly number[],
  dstBase: number,
  item: number,
  dim: number,
): void {
  const n = shape[dim] ?? 1;
  const ss = srcStrides[dim] ?? 0;
  const ds = dstStrides[dim] ?? 0;
  if (dim < shape.length - 1) {
    for (let i = 0; i < n; i++) {
      stridedCopy(
        src,
        shape,
        srcStrides,
        srcBase + i * ss,
        dst,
        dstStrides,
        dstBase + i * ds,
        item,
        dim + 1,
      );
    }
    return;
  }
  if (ss === 1 && ds === 1) {
    dst.set(src.subarray(srcBase * item, (srcBase + n) * item), dstBase * item);
    return;
  }
  for (let i = 0; i < n; i++) {
    const s = (srcBase + i * ss) * item;
    const d = (dstBase + i * ds) * item;
    for (let b = 0; b < item; b++) dst[d + b] = src[s + b] ?? 0;
  }
}

/**
 * Reads a whole tensor into memory as little-endian C-order bytes. For tests and small tensors:
 * the caller bounds `tensor.nbytes` first.
 */
export async function readTensorBytes(
  tensor: LoadedTensor,
  /** @internal Gather budget (see ViewGatherer). */
  blockBytes?: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(tensor.nbytes);
  // The gatherer reserves its three buffers at once (one WebAssembly memory): for a small tensor,
  // a budget of its own size (at least 64 KiB) rather than three times 32 MiB per call.
  const budget = blockBytes ?? Math.min(VIEW_BLOCK_BYTES, Math.max(64 * 1024, tensor.nbytes));
  await new ViewGatherer(budget).gather(tensor, (bytes, offset) => {
    out.set(bytes, offset);
  });
  return out;
}
