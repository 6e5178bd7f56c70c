// Model artifacts judged by content, one file at a time: what a scan worker thread runs
// (src/engine/scan-worker.ts), and what scanPaths runs on the calling thread when no threads are
// used. Kept apart from scan.ts so that a scan run on worker threads does not load the decoders
// and rules on the main thread as well (each thread loads its own copy; see docs/benchmarks.md).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import {
  FileSource,
  MemorySource,
  readAll,
  SYNC_READ_BYTES,
  type ByteSource,
} from '../core/byte-source.js';
import { makeLimits, type Limits } from '../core/limits.js';
import { makeFinding } from '../rules/define-rule.js';
import unreadableRule from '../rules/model/unreadable.js';
import { EMPTY_CONFIG, type TorchwardConfig } from './config-model.js';
import type { FileResult } from './result.js';
import { scanSource } from './scan-source.js';
import type { WalkedFile } from './walk.js';
import type { DecodedUnits } from './decoded-units.js';

/** What scanFile and scanBytes read of ScanOptions (src/engine/scan.ts), which passes them on. */
export interface FileScanOptions {
  readonly limits?: Partial<Limits>;
  readonly allowGlobals?: readonly string[];
  readonly config?: TorchwardConfig;
  /** Keep what the scan decoded at the top level for a loader (see ScanOptions.keepDecoded). */
  readonly keepDecoded?: DecodedUnits;
}

/** A scanned file's outcome, as scanWalkedFile returns it. */
export type WalkedOutcome = FileResult | 'skipped' | { unreadable: string };

/** Files up to this size are read whole before decoding (8 in flight: at most 8 MiB held). */
const WHOLE_READ_BYTES = 1024 * 1024;

/** Scans one file by content and returns its result (never throws for bad input). */
export async function scanFile(path: string, options: FileScanOptions = {}): Promise<FileResult> {
  const config = options.config ?? EMPTY_CONFIG;
  const limits = makeLimits(options.limits);
  const allowGlobals = [...config.allowGlobals, ...(options.allowGlobals ?? [])];
  const file: WalkedFile = { fsPath: path, displayPath: path, explicit: true, relPath: path };
  const result = await scanWalkedFile(file, limits, allowGlobals, [], options.keepDecoded);
  if (result === 'skipped') throw new Error('unreachable: explicit scans are never skipped');
  if ('unreadable' in result) {
    const finding = makeFinding(
      unreadableRule,
      { uri: path, unit: 'byte' },
      {
        messageId: 'unreadable',
        data: { reason: result.unreadable },
        at: { span: { start: 0, end: 0 } },
      },
    );
    return {
      path,
      format: 'unreadable',
      verdict: 'invalid',
      findings: [finding],
      members: [],
      size: 0,
    };
  }
  return result;
}

/** Scans bytes already in memory as if they were the file `name` (library and browser use). */
export async function scanBytes(
  bytes: Uint8Array,
  name: string,
  options: FileScanOptions = {},
): Promise<FileResult> {
  const config = options.config ?? EMPTY_CONFIG;
  const limits = makeLimits(options.limits);
  const allowGlobals = [...config.allowGlobals, ...(options.allowGlobals ?? [])];
  const result = await scanSource(new MemorySource(bytes), name, true, limits, allowGlobals, []);
  // A file named explicitly is never skipped: unknown content is reported, not dropped.
  if (result === 'skipped') throw new Error('unreachable: explicit scans are never skipped');
  return result;
}

// Names a model file carries: content under such a name that matches no format (a safetensors
// file with a broken header, a truncated checkpoint) is reported as unknown, never skipped.
const MODEL_NAME =
  /\.(?:safetensors|bin|pt|pth|pt2|ckpt|pkl|pickle|joblib|dill|gguf|ggml|onnx|h5|hdf5|keras|npy|npz|pb|tflite|mar|msgpack)$/i;

/** True when `relPath` is named like a model artifact. */
function isModelFileName(relPath: string): boolean {
  return MODEL_NAME.test(relPath);
}

/** The whole file when it holds at most SYNC_READ_BYTES, read synchronously; else undefined. */
function readSmallFileSync(path: string): Uint8Array | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    return size > SYNC_READ_BYTES ? undefined : readWholeSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** `size` bytes of the open file `fd` from its start, fewer if it shrank meanwhile. */
function readWholeSync(fd: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, out, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return got === size ? out : out.subarray(0, got);
}

/**
 * Scans `file` as scanWalkedFile does, but only when it is a regular file of at most `maxBytes`
 * (at most SYNC_READ_BYTES): it is then read with one system call and decoded from memory.
 * Returns undefined, having read nothing, for anything else: a larger file, or one that is not
 * a regular file (opened without blocking, so a FIFO put in its place cannot stall this thread
 * waiting for a writer). The scan pool runs this on its calling thread for small files and gives
 * what it returns undefined for to its worker threads.
 */
export function scanSmallWalkedFile(
  file: WalkedFile,
  limits: Limits,
  allowGlobals: readonly string[],
  internalErrors: string[],
  maxBytes: number,
): Promise<WalkedOutcome> | undefined {
  let bytes: Uint8Array | undefined;
  try {
    const fd = openSync(file.fsPath, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stats = fstatSync(fd);
      if (stats.isFile() && stats.size <= Math.min(maxBytes, SYNC_READ_BYTES))
        bytes = readWholeSync(fd, stats.size);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return Promise.resolve({ unreadable: error instanceof Error ? error.message : String(error) });
  }
  if (bytes === undefined) return undefined;
  return scanSource(
    new MemorySource(bytes),
    file.displayPath,
    file.explicit || isModelFileName(file.relPath),
    limits,
    allowGlobals,
    internalErrors,
  );
}

/**
 * Scans one walked file (on the calling thread, or on a scan worker thread): its result, 'skipped'
 * for an unrecognised file found in a directory, or why it could not be opened.
 */
export async function scanWalkedFile(
  file: WalkedFile,
  limits: Limits,
  allowGlobals: readonly string[],
  internalErrors: string[],
  keepDecoded?: DecodedUnits,
): Promise<WalkedOutcome> {
  const scanInput = (input: ByteSource): Promise<WalkedOutcome> =>
    scanSource(
      input,
      file.displayPath,
      file.explicit || isModelFileName(file.relPath),
      limits,
      allowGlobals,
      internalErrors,
      keepDecoded,
    );
  // Most files in a large tree are small (configs, tokenizers, empty markers): opened, sized and
  // read synchronously they cost one system call each instead of three thread-pool round trips,
  // which made a walk of 50,000 empty files spend most of its time waiting.
  let small: Uint8Array | undefined;
  try {
    small = readSmallFileSync(file.fsPath);
  } catch (error) {
    return { unreadable: error instanceof Error ? error.message : String(error) };
  }
  if (small !== undefined) {
    return scanInput(new MemorySource(small));
  }
  let source: FileSource;
  try {
    source = await FileSource.open(file.fsPath);
  } catch (error) {
    return { unreadable: error instanceof Error ? error.message : String(error) };
  }
  try {
    // A small file is read once and decoded from memory: a zip checkpoint otherwise costs a dozen
    // positioned reads (sniff, end record, central directory, each member) for a few kilobytes.
    const input: ByteSource =
      source.size <= WHOLE_READ_BYTES ? new MemorySource(await readAll(source)) : source;
    return await scanInput(input);
  } finally {
    await source.close();
  }
}

/**
 * Scans a file read through `source` (a remote file, say) as a directory walk would find it at
 * `relPath`: content that matches no format is 'skipped' unless the name is a model file's.
 */
export function scanFoundSource(
  source: ByteSource,
  displayPath: string,
  relPath: string,
  limits: Limits,
  allowGlobals: readonly string[],
  internalErrors: string[],
): Promise<FileResult | 'skipped'> {
  return scanSource(
    source,
    displayPath,
    isModelFileName(relPath),
    limits,
    allowGlobals,
    internalErrors,
  );
}
