import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { link, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { compareText } from '../core/finding.js';
import { LoadError } from './errors.js';
import type { LoadedTensor, MetadataLeaf } from './tensor.js';
import { TensorReader } from './tensor-reader.js';

/** safetensors refuses headers over 100,000,000 bytes (HeaderTooLarge, model-formats §7). */
const MAX_HEADER = 100_000_000;
/**
 * Copy chunk. Measured on the 2 GB bench (bench/convert.mjs): 1 MiB chunks copied with
 * synchronous positioned reads and writes match cp, while 8 MiB chunks, whose buffer no longer
 * stays in the CPU cache between the read and the write, were 3× slower.
 */
const CHUNK = 1024 * 1024;
/** Chunks copied between two yields to the event loop (a library caller is not starved). */
const CHUNKS_PER_YIELD = 64;

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
  /** The whole header: 8-byte LE length, then the space-padded JSON. */
  readonly header: Uint8Array;
  readonly tensors: readonly PlannedTensor[];
  /** Total file size. */
  readonly size: number;
}

/**
 * Lays out a safetensors file per the spec (model-formats §7): tensors sorted by descending item
 * size then by name (the order the reference serializer uses, so every tensor stays aligned to
 * its item size), contiguous data offsets from 0, a JSON header that starts with '{' and is
 * padded with spaces to a multiple of 8, and `__metadata__` first: `format: "pt"` plus one entry
 * per non-tensor leaf, its value as JSON text. Throws LoadError('UNSUPPORTED') for a dtype with
 * no safetensors equivalent, a duplicate or reserved name, or a header over 100 MB.
 */
export function planSafetensors(
  tensors: readonly LoadedTensor[],
  metadata: readonly MetadataLeaf[],
  /** Put `format: "pt"` first (what transformers checks); a leaf named `format` then collides. */
  formatPt = true,
): SafetensorsPlan {
  const names = new Set<string>();
  for (const name of [...tensors.map((t) => t.name), ...metadata.map((m) => m.name)]) {
    // A lone surrogate (possible in pickled text) has no UTF-8 form; serde_json refuses its escape.
    if (LONE_SURROGATE.test(name)) {
      throw new LoadError('UNSUPPORTED', `the key ${JSON.stringify(name)} is not valid Unicode`);
    }
  }
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
  const sorted = [...tensors].sort(
    (a, b) => b.dtype.itemsize - a.dtype.itemsize || compareText(a.name, b.name),
  );
  let at = 0;
  const planned: PlannedTensor[] = sorted.map((tensor) => {
    const begin = at;
    at += tensor.nbytes;
    return { tensor, dtype: tensor.dtype.safetensors ?? '', begin, end: at };
  });
  const parts: string[] = [];
  const metaParts = [...meta].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  parts.push(`"__metadata__":{${metaParts.join(',')}}`);
  for (const p of planned) {
    parts.push(
      `${JSON.stringify(p.tensor.name)}:{"dtype":${JSON.stringify(p.dtype)},` +
        `"shape":[${p.tensor.shape.join(',')}],"data_offsets":[${p.begin},${p.end}]}`,
    );
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded > MAX_HEADER) {
    throw new LoadError(
      'UNSUPPORTED',
      `the safetensors header would be ${padded} bytes (max ${MAX_HEADER})`,
    );
  }
  const header = Buffer.alloc(8 + padded, 0x20);
  header.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(header, 8);
  return { header, tensors: planned, size: header.byteLength + at };
}

/** Options of {@link writeSafetensors}. */
export interface WriteOptions {
  /** Replace an existing output file (default: refuse). */
  readonly force?: boolean;
  /** Runs after the last byte is written, before the output is put in place; may throw. */
  readonly beforeCommit?: () => void;
}

/**
 * Writes `plan` to `outPath` through a temporary file in the same directory that is renamed into
 * place only when every byte is written, so a failure (invalid storage found mid-way, disk full)
 * leaves no output file. Each tensor is streamed in 1 MiB chunks through one reused buffer, so
 * memory stays bounded whatever the checkpoint size. Without
 * `force`, an existing `outPath` is never replaced (the final step is a hard link, which fails
 * when the name exists). Throws LoadError or the fs error; the temporary file is removed either way.
 */
export async function writeSafetensors(
  plan: SafetensorsPlan,
  outPath: string,
  options: WriteOptions = {},
): Promise<void> {
  const temp = join(
    dirname(outPath),
    `.${basename(outPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let handle: FileHandle | undefined = await open(temp, 'wx', 0o644);
  try {
    await writeAll(handle, plan.header, 0);
    await streamTensors(handle, plan);
    const { size } = await handle.stat();
    if (size !== plan.size) {
      throw new LoadError('UNREADABLE', `wrote ${size} bytes, expected ${plan.size}`);
    }
    await handle.close();
    handle = undefined;
    options.beforeCommit?.();
    if (options.force === true) {
      await rename(temp, outPath);
    } else {
      await link(temp, outPath);
      await unlink(temp);
    }
  } catch (error) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function streamTensors(handle: FileHandle, plan: SafetensorsPlan): Promise<void> {
  const buffer = new Uint8Array(CHUNK);
  let position = plan.header.byteLength;
  let chunks = 0;
  for (const p of plan.tensors) {
    const reader = new TensorReader(p.tensor);
    for (let n = await reader.next(buffer); n > 0; n = await reader.next(buffer)) {
      writeAllSync(handle.fd, buffer.subarray(0, n), position);
      position += n;
      if (++chunks % CHUNKS_PER_YIELD === 0) await new Promise((r) => setImmediate(r));
    }
  }
}

function writeAllSync(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.byteLength) {
    const n = writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
    if (n === 0) throw new LoadError('UNREADABLE', 'the output file accepts no more bytes');
    done += n;
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
