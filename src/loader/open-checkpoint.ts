import { FormatError } from '../core/errors.js';
import type { Finding, Verdict } from '../core/finding.js';
import { makeLimits, type Limits } from '../core/limits.js';
import type { FileResult } from '../engine/result.js';
import { scanFile, type ScanOptions } from '../engine/scan.js';
import type { DecodedUnits } from '../engine/decoded-units.js';
import type { PickleDecodeResult } from '../formats/pickle/records.js';
import { looksLikePickle } from '../formats/pickle/sniff.js';
import { decodePickle } from '../formats/pickle/vm.js';
import { readSafetensorsHeader } from '../formats/safetensors/index.js';
import type { LoadedFormat } from '../formats/format-table.js';
import { SNIFF_BYTES, sniffFormat, type FormatId } from '../formats/sniff.js';
import { dtypeOfSafetensors } from './dtype.js';
import { LoadError } from './errors.js';
import { walkTorchPickle, type DroppedValue, type WalkResult } from './pickle-walk.js';
import { PositionedFile } from './positioned-file.js';
import { checkTensorGeometry } from './storage-bounds.js';
import type { LoadedTensor, MetadataLeaf } from './tensor.js';
import { loadTorchLegacy } from './torch-legacy.js';
import { hasLegacyMagic } from '../formats/pickle/torch-legacy.js';
import { loadTorchZip } from './torch-zip.js';
import { loadTorchTar } from './torch-tar.js';
import { isNpzListing, loadNpyFile, loadNpz } from './numpy.js';
import { parseZipDirectory } from '../formats/zip/index.js';

/** The container kinds the loader opens. */
export type CheckpointKind =
  'torch-zip' | 'torch-legacy' | 'torch-tar' | 'pickle' | 'safetensors' | 'npy' | 'npz';

/** A checkpoint the scanner judged safe, with its tensors located and validated (not read). */
export interface Checkpoint {
  readonly path: string;
  readonly kind: CheckpointKind;
  /** The scanner's result for the file (verdict `safe`). */
  readonly scan: FileResult;
  /** Tensors in the order the checkpoint holds them. */
  readonly tensors: readonly LoadedTensor[];
  /** Non-tensor leaves (pickle leaves as JSON text; safetensors metadata as is). */
  readonly metadata: readonly MetadataLeaf[];
  /** With `tensorsOnly`: the values left out (no JSON form), by key. */
  readonly dropped: readonly DroppedValue[];
  /** With `tensorsOnly`: the scanner findings accepted because only tensors are kept. */
  readonly tolerated: readonly Finding[];
  /** The open input; tensor storages read from it. */
  readonly file: PositionedFile;
  /** Closes the input. */
  close(): Promise<void>;
}

/** Options of {@link openCheckpoint}. */
export interface OpenOptions {
  /** Passed to the scanner (limits, allow-globals, config). */
  readonly scan?: ScanOptions;
  /**
   * Keep only the tensors of a pickle checkpoint whose other values are outside the allowlist
   * (an argparse Namespace, numpy scalars, a pickled module): the scanner's `suspicious` verdict
   * is accepted when every open finding is one of TOLERATED_RULES (a class not on the allowlist,
   * state set on it), and those values are dropped and listed. Never `malicious`, never any other
   * finding; nothing is ever imported or called.
   */
  readonly tensorsOnly?: boolean;
}

/**
 * The findings `tensorsOnly` accepts: references to classes outside the weights-only allowlist and
 * BUILD state set on their objects. Both describe values that are dropped, never read; a dangerous
 * global (`os.system` …) is `pickle/dangerous-global` and stays a refusal.
 */
export const TOLERATED_RULES: ReadonlySet<string> = new Set([
  'pickle/unknown-global',
  'pickle/disallowed-build',
]);

/**
 * Opens a checkpoint for weights-only reading. The engine's `scanFile` runs first and anything
 * it does not call `safe` is refused with its verdict and findings (LoadError('NOT_SAFE')); the
 * file is held open from before the scan and must not change during it (LoadError('CHANGED')).
 * Then the container is read by content: torch zip, legacy torch stream, raw pickle, safetensors,
 * .npy and .npz. Every tensor's geometry is checked against its storage before any byte is
 * trusted. Throws LoadError; fs errors opening the file become LoadError('UNREADABLE').
 */
export async function openCheckpoint(path: string, options: OpenOptions = {}): Promise<Checkpoint> {
  let file: PositionedFile;
  try {
    file = await PositionedFile.open(path);
  } catch (error) {
    if (error instanceof LoadError) throw error;
    throw new LoadError(
      'UNREADABLE',
      `cannot open ${path}: ${(error as Error).message}`,
      undefined,
      [],
      {
        cause: error,
      },
    );
  }
  try {
    // The scan keeps its zip directory and pickle decodes for the walk below: one pass.
    const keep: DecodedUnits = { pickles: new Map(), npyMembers: new Map() };
    const scan = await scanFile(path, { ...options.scan, keepDecoded: keep });
    // The scanner opened the path itself: it must have read this very file, unchanged.
    file.assertUnchanged(path);
    const open = scan.findings.filter((f) => f.suppressed === undefined);
    const tolerated =
      options.tensorsOnly === true &&
      scan.verdict === 'suspicious' &&
      open.length > 0 &&
      open.every((f) => TOLERATED_RULES.has(f.ruleId));
    if (scan.verdict !== 'safe' && !tolerated) throw notSafe(path, scan.verdict, scan.findings);
    const limits = makeLimits(options.scan?.limits);
    const { kind, result } = await loadByContent(file, limits, options.tensorsOnly === true, keep);
    file.assertUnchanged();
    if (tolerated && result.tensors.length === 0) {
      throw new LoadError('UNSUPPORTED', `${path} holds no tensor outside the dropped values`);
    }
    return {
      path,
      kind,
      scan,
      tensors: result.tensors,
      metadata: result.metadata,
      dropped: result.dropped ?? [],
      tolerated: tolerated ? open : [],
      file,
      close: () => file.close(),
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}

function notSafe(path: string, verdict: Verdict | null, findings: readonly Finding[]): LoadError {
  const open = findings.filter((f) => f.suppressed === undefined);
  return new LoadError(
    'NOT_SAFE',
    `${path} is not safe to load: the scanner's verdict is ${verdict ?? 'none'} ` +
      `(${open.length} finding${open.length === 1 ? '' : 's'})`,
    verdict,
    findings,
  );
}

/**
 * Reads a checkpoint's container by content, without scanning it first. @internal: only for
 * callers that already hold a `safe` verdict for this very file (openCheckpoint) and for tests.
 */
export async function loadByContent(
  file: PositionedFile,
  limits: Limits,
  tensorsOnly = false,
  /** What the scan of this very file decoded; taken (emptied) as it is used. */
  decoded: DecodedUnits = { pickles: new Map() },
): Promise<{ kind: CheckpointKind; result: WalkResult }> {
  try {
    return await loadContainer(file, limits, tensorsOnly, decoded);
  } catch (error) {
    // A decoder's FormatError: the bytes are not what the container promises.
    if (error instanceof FormatError) {
      throw new LoadError('INVALID_STORAGE', `${error.code}: ${error.message}`, undefined, [], {
        cause: error,
      });
    }
    throw error;
  }
}

/** What a container loader gets: the open file, its first bytes and the scan's kept decodes. */
interface LoadJob {
  readonly file: PositionedFile;
  readonly head: Uint8Array;
  readonly limits: Limits;
  readonly tensorsOnly: boolean;
  /** The scan's decodes of this file, already taken out of the caller's holder. */
  readonly kept: DecodedUnits;
}

type ContainerLoader = (job: LoadJob) => Promise<{ kind: CheckpointKind; result: WalkResult }>;

/**
 * One loader per format FORMAT_TABLE (src/formats/format-table.ts) marks loaded: the record's
 * type is derived from the table the engine's handlers are typed from too.
 */
const LOADERS: Record<LoadedFormat, ContainerLoader> = {
  async zip({ file, limits, tensorsOnly, kept }) {
    const archive = kept.zip ?? (await parseZipDirectory(file, limits));
    if (isNpzListing(archive.entries)) {
      kept.pickles.clear();
      return { kind: 'npz', result: await loadNpz(file, archive, limits, kept.npyMembers) };
    }
    const take = (name: string): PickleDecodeResult | undefined => {
      const pickle = kept.pickles.get(name);
      kept.pickles.clear();
      return pickle;
    };
    return {
      kind: 'torch-zip',
      result: await loadTorchZip(file, archive, limits, tensorsOnly, take),
    };
  },
  async npy({ file, kept }) {
    return { kind: 'npy', result: await loadNpyFile(file, kept.npy) };
  },
  async safetensors({ file, limits }) {
    return { kind: 'safetensors', result: await loadSafetensors(file, limits) };
  },
  async pickle({ file, head, limits, tensorsOnly, kept }) {
    if (hasLegacyMagic(head))
      return {
        kind: 'torch-legacy',
        result: await loadTorchLegacy(file, limits, tensorsOnly, kept.legacy),
      };
    return { kind: 'pickle', result: await loadRawPickle(file, limits, kept.pickle) };
  },
  async tar({ file, limits, tensorsOnly, kept }) {
    return { kind: 'torch-tar', result: await loadTorchTar(file, limits, tensorsOnly, kept.tar) };
  },
};

async function loadContainer(
  file: PositionedFile,
  limits: Limits,
  tensorsOnly: boolean,
  decoded: DecodedUnits,
): Promise<{ kind: CheckpointKind; result: WalkResult }> {
  const head = await file.read(0, SNIFF_BYTES);
  const id = sniffFormat(head, file.size, looksLikePickle);
  // Each kept decode is taken out of `decoded` here and handed to the one loader that reads it,
  // so the scan's values live no longer than the walk that reads them.
  const kept: DecodedUnits = {
    ...decoded,
    pickles: new Map(decoded.pickles),
    npyMembers: new Map(decoded.npyMembers),
  };
  delete decoded.pickle;
  delete decoded.zip;
  delete decoded.legacy;
  delete decoded.tar;
  delete decoded.npy;
  decoded.pickles.clear();
  decoded.npyMembers?.clear();
  const load = (LOADERS as Partial<Record<FormatId, ContainerLoader>>)[id];
  if (load === undefined)
    throw new LoadError('UNSUPPORTED', `the loader does not read ${id} files`);
  return load({ file, head, limits, tensorsOnly, kept });
}

/**
 * A bare pickle has no persistent_load, so it cannot hold a tensor: its plain-data leaves are
 * returned as metadata and any storage reference is refused.
 */
async function loadRawPickle(
  file: PositionedFile,
  limits: Limits,
  /** The scan's whole decode of this file, when it kept one. */
  kept: PickleDecodeResult | undefined,
): Promise<WalkResult> {
  if (file.size > limits.maxInputBytes) {
    throw new LoadError('UNSUPPORTED', `pickle of ${file.size} bytes exceeds maxInputBytes`);
  }
  const decoded = kept ?? decodePickle(await file.read(0, file.size), { limits });
  const stream = decoded.streams[0];
  if (decoded.error !== undefined || stream?.root === undefined || decoded.streams.length !== 1) {
    throw new LoadError(
      'UNSUPPORTED',
      `the pickle does not decode as one stream: ${decoded.error?.message ?? ''}`,
    );
  }
  return walkTorchPickle(
    stream.root,
    (storage) => {
      throw new LoadError(
        'UNSUPPORTED',
        `a bare pickle cannot hold tensor storage '${storage.key}'`,
      );
    },
    decoded.mutations,
    limits.maxEntries,
  );
}

/** A safetensors input: its validated header gives every tensor as a contiguous range. */
async function loadSafetensors(file: PositionedFile, limits: Limits): Promise<WalkResult> {
  const header = await readSafetensorsHeader(file, limits);
  const tensors = header.tensors.map((t): LoadedTensor => {
    const dtype = dtypeOfSafetensors(t.dtype);
    if (dtype === undefined) {
      throw new LoadError(
        'UNSUPPORTED',
        `tensor '${t.name}' has safetensors dtype ${t.dtype}, which the loader does not read`,
      );
    }
    const strides: number[] = [];
    let acc = 1;
    for (let i = t.shape.length - 1; i >= 0; i--) {
      strides.unshift(acc);
      acc *= t.shape[i] ?? 1;
    }
    const storage = {
      key: t.name,
      source: file,
      start: t.fileOffset,
      nbytes: t.byteLength,
      bigEndian: false,
    };
    const geometry = checkTensorGeometry(t.name, t.shape, strides, 0, dtype.itemsize, t.byteLength);
    if (geometry.nbytes !== t.byteLength) {
      throw new LoadError(
        'INVALID_STORAGE',
        `tensor '${t.name}' has ${t.byteLength} bytes for ${geometry.nbytes}`,
      );
    }
    return { name: t.name, dtype, storage, parameter: false, ...geometry };
  });
  const metadata = [...(header.metadata ?? new Map<string, string>())].map(([name, value]) => ({
    name,
    value,
  }));
  return { tensors, metadata };
}
