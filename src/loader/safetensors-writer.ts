import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { compareText } from '../core/finding.js';
import { alignedBuffers, COPY_ALIGN } from './aligned-memory.js';
import { LoadError } from './errors.js';
import type { LoadedTensor, MetadataLeaf } from './tensor.js';
import { PositionedFile } from './positioned-file.js';
import { trackTemporary } from './temp-paths.js';
import { swapBytes } from './storage-read.js';
import { ViewGatherer } from './view-gather.js';

/** safetensors refuses headers over 100,000,000 bytes (HeaderTooLarge, model-formats §7). */
const MAX_HEADER = 100_000_000;
/**
 * Copy chunk. Measured on the 2 GB bench (bench/convert.mjs): 1 MiB chunks copied with
 * synchronous positioned reads and writes ran at ~2.8 GB/s, while 8 MiB chunks, whose buffer no
 * longer stays in the CPU cache between the read and the write, were 3× slower. With reads run
 * ahead on the thread pool, 1 MiB stays best; 2 and 4 MiB chunks sometimes made each write take
 * several times longer on the bench VM, turning a 0.5 s copy into 1.5-5 s (its free page
 * reporting, see WRITE_PIECE).
 */
const CHUNK = 1024 * 1024;
/**
 * Largest single write() call. On the bench VM, whose balloon reports free pages to the host
 * within ~0.15 s, a write's new page-cache folio must often be faulted in from the host, and
 * larger calls (larger folios) hit such memory more often: with reporting on, half of the 1 MiB
 * conversions stalled for 2-3.5 s inside write() while 256 KiB calls mostly did not. With
 * reporting paused, 1 MiB and 256 KiB calls both converted 2 GiB in 0.59-0.78 s, and 64 KiB calls
 * took 0.68-0.75 s (more calls). Reads stay 1 MiB: fewer calls, and they never stalled.
 */
const WRITE_PIECE = 256 * 1024;
/**
 * Chunk reads in flight ahead of the write. Measured with 1 MiB chunks: 3 or 6 ahead copied
 * 2 GiB in 0.47-0.54 s (cp: 0.49 s) against 0.67-0.77 s for a synchronous read-then-write loop.
 */
const READ_AHEAD = 6;
/**
 * Gathered output runs at least this long are written asynchronously, overlapping the gather of
 * the next block (see ViewGatherer); shorter ones synchronously.
 */
const ASYNC_RUN_MIN = 1024 * 1024;
const LONE_SURROGATE = /\p{Cs}/u;

/** One tensor as it will be written: its place in the data section. */
export interface PlannedTensor {
  readonly tensor: LoadedTensor;
  /** The safetensors dtype name. */
  readonly dtype: string;
  readonly begin: number;
  readonly end: number;
}

/** The header and layout of a safetensors file, before any tensor byte is read. */
export interface SafetensorsPlan {
  /** Bytes of the whole header: the 8-byte LE length, then the space-padded JSON. */
  readonly headerBytes: number;
  /**
   * The header's bytes in order, in pieces of about HEADER_PIECE bytes, built anew on each call
   * and never held whole: for 100,000 tensors the text is over 10 MB, and holding it (with the
   * strings it is joined from) was most of convert's memory after the pickle.
   */
  headerPieces(): Generator<Uint8Array>;
  readonly tensors: readonly PlannedTensor[];
  /** Total file size. */
  readonly size: number;
}

/** Text per header piece: a few hundred tensor entries. */
const HEADER_PIECE = 64 * 1024;

/**
 * Lays out a safetensors file per the spec (model-formats §7): tensors sorted by descending item
 * size then by name (the order the reference serializer uses, so every tensor stays aligned to
 * its item size), contiguous data offsets from 0, a JSON header that starts with '{' and is
 * padded with spaces to a multiple of 8, and `__metadata__` first: `format: "pt"` plus one entry
 * per non-tensor leaf, its value as JSON text. Throws LoadError('UNSUPPORTED') for a dtype with
 * no safetensors equivalent, a duplicate or reserved name, or a header over 100 MB.
 * The header's length is counted entry by entry here and its text built again piece by piece
 * when written (SafetensorsPlan.headerPieces), so memory holds one entry at a time, not the text.
 */
export function planSafetensors(
  tensors: readonly LoadedTensor[],
  metadata: readonly MetadataLeaf[],
  /** Put `format: "pt"` first (what transformers checks); a leaf named `format` then collides. */
  formatPt = true,
): SafetensorsPlan {
  const names = new Set<string>();
  // A lone surrogate (possible in pickled text) has no UTF-8 form; serde_json refuses its escape.
  const checkUnicode = (name: string): void => {
    if (LONE_SURROGATE.test(name)) {
      throw new LoadError('UNSUPPORTED', `the key ${JSON.stringify(name)} is not valid Unicode`);
    }
  };
  for (const t of tensors) checkUnicode(t.name);
  for (const m of metadata) checkUnicode(m.name);
  for (const t of tensors) {
    if (t.name === '__metadata__')
      throw new LoadError('UNSUPPORTED', "a tensor is named '__metadata__'");
    if (names.has(t.name))
      throw new LoadError('UNSUPPORTED', `two tensors are both named '${t.name}'`);
    names.add(t.name);
    if (t.dtype.safetensors === undefined) {
      throw new LoadError(
        'UNSUPPORTED',
        `tensor '${t.name}' has dtype ${t.dtype.name}, which safetensors cannot hold`,
      );
    }
  }
  const meta = new Map<string, string>(formatPt ? [['format', 'pt']] : []);
  for (const leaf of metadata) {
    if (meta.has(leaf.name) || names.has(leaf.name)) {
      throw new LoadError('UNSUPPORTED', `the key '${leaf.name}' is used twice after flattening`);
    }
    meta.set(leaf.name, leaf.value);
  }
  names.clear();
  const sorted = [...tensors].sort(
    (a, b) => b.dtype.itemsize - a.dtype.itemsize || compareText(a.name, b.name),
  );
  let at = 0;
  const planned: PlannedTensor[] = sorted.map((tensor) => {
    const begin = at;
    at += tensor.nbytes;
    return { tensor, dtype: tensor.dtype.safetensors ?? '', begin, end: at };
  });
  let jsonBytes = 0;
  for (const text of headerText(meta, planned)) jsonBytes += Buffer.byteLength(text, 'utf8');
  const padded = Math.ceil(jsonBytes / 8) * 8;
  if (padded > MAX_HEADER) {
    throw new LoadError(
      'UNSUPPORTED',
      `the safetensors header would be ${padded} bytes (max ${MAX_HEADER})`,
    );
  }
  return {
    headerBytes: 8 + padded,
    headerPieces: () => headerPieces(meta, planned, jsonBytes, padded),
    tensors: planned,
    size: 8 + padded + at,
  };
}

/** The header's JSON text in order, one metadata or tensor entry at a time. */
function* headerText(
  meta: ReadonlyMap<string, string>,
  planned: readonly PlannedTensor[],
): Generator<string> {
  yield '{"__metadata__":{';
  let first = true;
  for (const [k, v] of meta) {
    yield `${first ? '' : ','}${JSON.stringify(k)}:${JSON.stringify(v)}`;
    first = false;
  }
  yield '}';
  for (const p of planned) {
    yield (
      `,${JSON.stringify(p.tensor.name)}:{"dtype":${JSON.stringify(p.dtype)},` +
      `"shape":[${p.tensor.shape.join(',')}],"data_offsets":[${p.begin},${p.end}]}`
    );
  }
  yield '}';
}

/** The length prefix, the JSON text in pieces of about HEADER_PIECE, then the padding. */
function* headerPieces(
  meta: ReadonlyMap<string, string>,
  planned: readonly PlannedTensor[],
  jsonBytes: number,
  padded: number,
): Generator<Uint8Array> {
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(padded), 0);
  yield prefix;
  let written = 0;
  let piece = '';
  for (const text of headerText(meta, planned)) {
    piece += text;
    if (piece.length >= HEADER_PIECE) {
      const bytes = Buffer.from(piece, 'utf8');
      written += bytes.byteLength;
      yield bytes;
      piece = '';
    }
  }
  const last = Buffer.from(piece, 'utf8');
  written += last.byteLength;
  // The text is built from the same entries as when it was counted: a difference is a bug.
  if (written !== jsonBytes) {
    throw new Error(`header text is ${written} bytes, not the ${jsonBytes} planned`);
  }
  yield Buffer.concat([last, Buffer.alloc(padded - written, 0x20)]);
}

/** Options of {@link writeSafetensors}. */
export interface WriteOptions {
  /** Replace an existing output file (default: refuse). */
  readonly force?: boolean;
  /** Runs after the last byte is written, before the output is put in place; may throw. */
  readonly beforeCommit?: () => void;
  /**
   * Budget of each of the two buffers a strided view is gathered through (default
   * VIEW_BLOCK_BYTES). @internal Tests set a tiny one to run the multi-block path on small tensors.
   */
  readonly viewBlockBytes?: number;
}

/**
 * Writes `plan` to `outPath` through a temporary file in the same directory that is renamed into
 * place only when every byte is written, so a failure (invalid storage found mid-way, disk full)
 * leaves no output file. Contiguous tensors of the file are copied in 1 MiB chunks, a few read
 * ahead while the oldest is written; strided views are gathered through bounded buffers; so
 * memory stays bounded whatever the checkpoint size. Without
 * `force`, an existing `outPath` is never replaced (the final step is a hard link, which fails
 * when the name exists). Throws LoadError or the fs error; the temporary file is removed either way.
 */
export async function writeSafetensors(
  plan: SafetensorsPlan,
  outPath: string,
  options: WriteOptions = {},
): Promise<void> {
  await assertReplaceable(outPath);
  const temp = join(
    dirname(outPath),
    `.${basename(outPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const untrack = trackTemporary(temp);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', 0o644);
    let at = 0;
    for (const piece of plan.headerPieces()) {
      await writeAll(handle, piece, at);
      at += piece.byteLength;
    }
    await streamTensors(handle, plan, options.viewBlockBytes);
    const { size } = await handle.stat();
    if (size !== plan.size) {
      throw new LoadError('UNREADABLE', `wrote ${size} bytes, expected ${plan.size}`);
    }
    await handle.close();
    handle = undefined;
    options.beforeCommit?.();
    if (options.force === true) {
      // Checked again right before the rename: a device or folder that appeared meanwhile stays.
      await assertReplaceable(outPath);
      await rename(temp, outPath);
    } else {
      await link(temp, outPath);
      await unlink(temp);
    }
    untrack();
  } catch (error) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    untrack();
    throw error;
  }
}

/**
 * Throws when `path` exists and is not a regular file: a rename would replace a device node
 * (/dev/full when run as root), a symbolic link or a folder entry, which --force never means.
 * The error carries code `ENOTREG` (an fs-style code: the output is unusable, the input fine).
 */
export async function assertReplaceable(path: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch {
    return; // absent (or unreachable, which the write itself reports)
  }
  if (!stats.isFile()) {
    const what = stats.isSymbolicLink()
      ? 'a symbolic link'
      : stats.isDirectory()
        ? 'a folder'
        : 'not a regular file';
    throw Object.assign(new Error(`${path} exists and is ${what}; it is never replaced`), {
      code: 'ENOTREG',
    });
  }
}

async function streamTensors(
  handle: FileHandle,
  plan: SafetensorsPlan,
  viewBlockBytes: number | undefined,
): Promise<void> {
  const copier = new RangeCopier(handle.fd);
  let gatherer: ViewGatherer | undefined;
  let position = plan.headerBytes;
  try {
    for (const p of plan.tensors) {
      const { tensor } = p;
      const { storage } = tensor;
      if (tensor.contiguous && storage.source instanceof PositionedFile) {
        const start = storage.start + tensor.storageOffset * tensor.dtype.itemsize;
        await copier.copy(storage.source, start, tensor.nbytes, position, swapUnit(tensor));
      } else {
        // Strided views and in-memory storages: read in big blocks in the storage's order,
        // reordered in memory, written as output runs at their positions.
        await copier.drain();
        gatherer ??= new ViewGatherer(viewBlockBytes);
        const at = position;
        await gatherer.gather(tensor, (bytes, offset) => {
          // Long runs (whole blocks of output) are written on the thread pool while the next
          // block is read and reordered; short ones at once (a pool round trip each would cost
          // more than it overlaps).
          if (bytes.byteLength >= ASYNC_RUN_MIN) return writePieces(handle, bytes, at + offset);
          writeAllSync(handle.fd, bytes, at + offset);
          return undefined;
        });
        // A library caller is not starved by a long run of small views.
        await new Promise((r) => setImmediate(r));
      }
      position += tensor.nbytes;
    }
    await copier.drain();
    await gatherer?.flush();
  } catch (error) {
    // No read may still be filling a buffer (or using the input descriptor), and no write still
    // using the output descriptor, once we return.
    await copier.settle();
    await gatherer?.flush().catch(() => undefined);
    throw error;
  }
}

function swapUnit(tensor: LoadedTensor): number {
  return tensor.storage.bigEndian ? tensor.dtype.swapUnit : 1;
}

/** One chunk read ahead: where it goes in the output, and its read (which never rejects). */
interface PendingChunk {
  /** A whole buffer of CHUNK + COPY_ALIGN bytes from the copier's pool. */
  readonly buffer: Uint8Array;
  /** The chunk's bytes within `buffer`: at its output position's offset modulo COPY_ALIGN. */
  readonly bytes: Uint8Array;
  readonly position: number;
  readonly unit: number;
  readonly done: Promise<unknown>;
}

/**
 * Copies file ranges into the output: up to READ_AHEAD chunk reads run on the thread pool while
 * the main thread writes the oldest finished chunk with a synchronous positioned write, so
 * reading and writing overlap on two cores and only READ_AHEAD × CHUNK bytes are ever buffered.
 * The reads span tensor boundaries, so a run of small tensors keeps the pipeline full.
 */
class RangeCopier {
  /** Buffers not in use; the pool is allocated on the first copy. */
  private free: Uint8Array[] | undefined;
  private readonly pending: PendingChunk[] = [];

  constructor(private readonly out: number) {}

  /** Queues `[start, start + length)` of `source` for output `position`, writing as reads finish. */
  async copy(
    source: PositionedFile,
    start: number,
    length: number,
    position: number,
    unit: number,
  ): Promise<void> {
    for (let copied = 0; copied < length;) {
      if (this.pending.length >= READ_AHEAD) await this.writeOldest();
      // Unswapped chunks end on CHUNK multiples of the output: measured 5-10% faster than writes
      // offset by the header (page-cache folios line up). Swapped chunks keep to CHUNK multiples
      // of the tensor, so no swap unit is split.
      const room = unit > 1 ? CHUNK : CHUNK - ((position + copied) % CHUNK);
      const n = Math.min(room, length - copied);
      const buffer = this.take();
      const at = (position + copied) % COPY_ALIGN;
      const bytes = buffer.subarray(at, at + n);
      const read = source.readInto(start + copied, bytes);
      this.pending.push({
        buffer,
        bytes,
        position: position + copied,
        unit,
        // Settled either way, so a failed read is never an unhandled rejection.
        done: read.then(
          () => undefined,
          (error: unknown) => ({ error }),
        ),
      });
      copied += n;
    }
  }

  /** Writes every queued chunk. */
  async drain(): Promise<void> {
    while (this.pending.length > 0) await this.writeOldest();
  }

  /** Waits for every read in flight, discarding them (after a failure). */
  async settle(): Promise<void> {
    await Promise.all(this.pending.map((p) => p.done));
    this.pending.length = 0;
  }

  private take(): Uint8Array {
    this.free ??= alignedBuffers(READ_AHEAD, CHUNK + COPY_ALIGN);
    const buffer = this.free.pop();
    // At most READ_AHEAD chunks are pending when one is taken (copy writes the oldest first).
    if (buffer === undefined) throw new Error('copy buffer pool exhausted');
    return buffer;
  }

  private async writeOldest(): Promise<void> {
    const chunk = this.pending[0];
    if (chunk === undefined) return;
    const outcome = await chunk.done;
    this.pending.shift();
    if (outcome !== undefined) throw (outcome as { error: unknown }).error;
    if (chunk.unit > 1) swapBytes(chunk.bytes, chunk.unit);
    writeAllSync(this.out, chunk.bytes, chunk.position);
    this.free?.push(chunk.buffer);
  }
}

function writeAllSync(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.byteLength) {
    const n = writeSync(
      fd,
      bytes,
      done,
      Math.min(WRITE_PIECE, bytes.byteLength - done),
      position + done,
    );
    if (n === 0) throw new LoadError('UNREADABLE', 'the output file accepts no more bytes');
    done += n;
  }
}

/** `writeAllSync` on the thread pool, WRITE_PIECE bytes per call. */
async function writePieces(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(
      bytes,
      done,
      Math.min(WRITE_PIECE, bytes.byteLength - done),
      position + done,
    );
    if (bytesWritten === 0)
      throw new LoadError('UNREADABLE', 'the output file accepts no more bytes');
    done += bytesWritten;
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(
      bytes,
      done,
      bytes.byteLength - done,
      position + done,
    );
    if (bytesWritten === 0)
      throw new LoadError('UNREADABLE', 'the output file accepts no more bytes');
    done += bytesWritten;
  }
}
