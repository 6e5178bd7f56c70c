import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import {
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { FormatError } from '../core/errors.js';
import { compareText } from '../core/finding.js';
import { parseStrictJson, plainJson } from '../formats/json/strict-json.js';
import { defaultMaxOutput, type ConvertOptions } from './convert.js';
import { aliasesJson, ALIASES_KEY, dedupeTensors } from './dedupe.js';
import { LoadError } from './errors.js';
import { openCheckpoint, type Checkpoint } from './open-checkpoint.js';
import { planSafetensors, writeSafetensors } from './safetensors-writer.js';
import type { LoadedTensor, MetadataLeaf } from './tensor.js';
import { trackTemporary } from './temp-paths.js';

/** Options of {@link convertDirectory}. */
export interface ConvertDirOptions extends Omit<ConvertOptions, 'maxOutputBytes'> {
  /** Largest output shard in bytes of tensor data (default 5 GB, transformers' default). */
  readonly maxShardSize?: number;
}

/** One model of the folder: its input weight files and the safetensors files written for it. */
export interface ConvertedModel {
  /** Input weight files, relative to the input folder. */
  readonly inputs: readonly string[];
  /** Output files, relative to the output folder (shards, then the index when sharded). */
  readonly outputs: readonly string[];
  readonly tensors: number;
  readonly aliases: ReadonlyMap<string, string>;
  /** Bytes of tensor data (the index's `total_size`). */
  readonly tensorBytes: number;
  /** With `tensorsOnly`: values left out, by input file and key. */
  readonly dropped: readonly {
    readonly file: string;
    readonly name: string;
    readonly reason: string;
  }[];
}

/** What a folder conversion wrote. */
export interface ConvertDirResult {
  readonly output: string;
  readonly models: readonly ConvertedModel[];
  /** Other files copied as they are (config, tokenizer …), relative paths. */
  readonly copied: readonly string[];
  /** Files neither converted nor copied, with the reason. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
}

/** 5 GB, transformers' default `max_shard_size`. */
export const DEFAULT_MAX_SHARD = 5_000_000_000;
/** Most files walked in an input folder. */
const MAX_FILES = 100_000;
const MAX_DEPTH = 32;
/** Largest weight index read (real ones are ~100 KB). */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const WEIGHT = /\.(?:bin|pt|pth)$/;
const INDEX = /\.(?:bin|pt|pth)\.index\.json$/;
/** Pickle-based files that are never copied into a converted folder. */
const PICKLE_LIKE = /\.(?:bin|pt|pth|pkl|pickle|ckpt|joblib|npy|npz)$/i;

/**
 * Parses a size the way transformers' `max_shard_size` reads it: an integer of bytes, or a
 * number with KB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024). Undefined when
 * malformed or not positive.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([KMGT]i?B)?$/i.exec(text.trim());
  if (m === null) return undefined;
  const unit = (m[2] ?? '').toUpperCase();
  const powers: Record<string, number> = {
    '': 1,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    KIB: 2 ** 10,
    MIB: 2 ** 20,
    GIB: 2 ** 30,
    TIB: 2 ** 40,
  };
  const value = Math.floor(Number(m[1]) * (powers[unit] ?? NaN));
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

interface ModelGroup {
  /** Output name stem: `model` for a transformers checkpoint, else the input's stem. */
  readonly base: string;
  /** Input weight files (relative names), in shard order. */
  readonly files: string[];
  /** The index read for it: tensor name → file. */
  readonly index?: { readonly name: string; readonly map: ReadonlyMap<string, string> };
}

/**
 * Converts a model folder (a Hugging Face repository or any folder of PyTorch weight files) to a
 * folder of safetensors files: every `.bin` / `.pt` / `.pth` weight file is opened through the
 * scanner and converted; a sharded checkpoint's index is read and checked, the tensors re-sharded
 * by `maxShardSize` and a `model.safetensors.index.json` written; tied weights are written once
 * (unless `dedupe: false`); other files (config, tokenizer) are copied; pickle-based files that are
 * not weights of the model (training_args.bin) are skipped and reported. Everything is written to
 * a temporary sibling folder of `output`, renamed into place only when complete: any refusal or
 * failure leaves no output and no temporary folder. Throws LoadError (INVALID_LAYOUT for folders
 * whose files disagree) or the fs error.
 */
export async function convertDirectory(
  input: string,
  output: string,
  options: ConvertDirOptions = {},
): Promise<ConvertDirResult> {
  const maxShard = options.maxShardSize ?? DEFAULT_MAX_SHARD;
  const files = await listFiles(input);
  const { groups, skipped, consumed } = await planGroups(input, files);
  const temp = join(
    dirname(output),
    `.${basename(output)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  await assertOutputFolder(output, options.force === true);
  const untrack = trackTemporary(temp);
  try {
    await mkdir(temp, { mode: 0o755 });
    const models: ConvertedModel[] = [];
    for (const group of groups) {
      models.push(await convertGroup(input, temp, group, maxShard, options));
    }
    const copied: string[] = [];
    for (const file of files) {
      if (consumed.has(file)) continue;
      if (PICKLE_LIKE.test(file)) {
        skipped.push({
          path: file,
          reason: 'pickle-based file that is not a weight file of the model',
        });
        continue;
      }
      const target = join(temp, file);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(input, file), target, constants.COPYFILE_EXCL);
      copied.push(file);
    }
    await commitFolder(temp, output, options.force === true);
    untrack();
    return { output, models, copied, skipped };
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    untrack();
    throw error;
  }
}

/** Every regular file under `root` (following links), as relative paths with '/' separators. */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw layout(`folders nested deeper than ${MAX_DEPTH} under ${root}`);
    const names = (await readdir(join(root, dir))).sort(compareText);
    for (const name of names) {
      const rel = dir === '' ? name : `${dir}/${name}`;
      const stats = await stat(join(root, rel));
      if (stats.isDirectory()) {
        await walk(rel, depth + 1);
      } else if (stats.isFile()) {
        if (out.length >= MAX_FILES) throw layout(`more than ${MAX_FILES} files under ${root}`);
        out.push(rel);
      } else {
        throw layout(`${rel} is neither a file nor a folder`);
      }
    }
  };
  await walk('', 0);
  return out;
}

/** Which weight files form which model; what is skipped; which files are not copied. */
async function planGroups(
  root: string,
  files: readonly string[],
): Promise<{
  groups: ModelGroup[];
  skipped: { path: string; reason: string }[];
  consumed: Set<string>;
}> {
  const top = files.filter((f) => !f.includes('/'));
  const weights = top.filter((f) => WEIGHT.test(f));
  const indexes = top.filter((f) => INDEX.test(f));
  const safetensors = top.filter((f) => /\.safetensors(?:\.index\.json)?$/.test(f));
  if (safetensors.length > 0 && (weights.length > 0 || indexes.length > 0)) {
    throw layout(
      `the folder holds weights both as safetensors (${safetensors[0] ?? ''}) and as pickle ` +
        `(${weights[0] ?? indexes[0] ?? ''}); convert a folder with one of them`,
    );
  }
  if (weights.length === 0) {
    throw layout(
      safetensors.length > 0
        ? 'the folder already holds safetensors weights and no .bin/.pt/.pth weight file'
        : 'the folder holds no .bin, .pt or .pth weight file',
    );
  }
  const consumed = new Set<string>(indexes);
  const groups: ModelGroup[] = [];
  const owner = new Map<string, string>();
  for (const name of indexes) {
    const map = await readIndex(join(root, name), name);
    const shards = [...new Set(map.values())].sort(compareText);
    for (const shard of shards) {
      if (shard.includes('/') || shard.includes('\\') || shard === '.' || shard === '..') {
        throw layout(`${name} names a shard outside the folder: ${JSON.stringify(shard)}`);
      }
      if (!top.includes(shard)) throw layout(`${name} names a missing shard: ${shard}`);
      const other = owner.get(shard);
      if (other !== undefined) throw layout(`${shard} is named by both ${other} and ${name}`);
      owner.set(shard, name);
      consumed.add(shard);
    }
    const stem = name.slice(0, -'.index.json'.length);
    groups.push({ base: outputBase(stem), files: shards, index: { name, map } });
  }
  const transformers =
    indexes.length > 0 ||
    (weights.includes('pytorch_model.bin') && !consumed.has('pytorch_model.bin'));
  if (weights.includes('pytorch_model.bin') && !consumed.has('pytorch_model.bin')) {
    groups.push({ base: 'model', files: ['pytorch_model.bin'] });
    consumed.add('pytorch_model.bin');
  }
  const skipped: { path: string; reason: string }[] = [];
  for (const file of weights) {
    if (consumed.has(file)) continue;
    if (transformers) {
      // training_args.bin, optimizer.pt, rng_state.pth next to a transformers checkpoint: not
      // weights of the model (and often not weights-only pickles at all).
      skipped.push({ path: file, reason: 'not a weight file of the model (no index names it)' });
      consumed.add(file);
      continue;
    }
    groups.push({ base: outputBase(file), files: [file] });
    consumed.add(file);
  }
  const bases = new Map<string, string>();
  for (const g of groups) {
    const seen = bases.get(g.base);
    if (seen !== undefined) {
      throw layout(
        `${seen} and ${g.files[0] ?? ''} would both be written as ${g.base}.safetensors`,
      );
    }
    bases.set(g.base, g.files[0] ?? '');
  }
  return { groups, skipped, consumed };
}

/** `pytorch_model.bin` → `model`; `ema.pt` → `ema`. */
function outputBase(file: string): string {
  if (file === 'pytorch_model.bin') return 'model';
  return file.replace(WEIGHT, '');
}

/** Reads a transformers weight index: `{"metadata": …, "weight_map": {tensor: file}}`. */
async function readIndex(path: string, name: string): Promise<Map<string, string>> {
  const stats = await stat(path);
  if (stats.size > MAX_INDEX_BYTES) {
    throw layout(`${name} is ${stats.size} bytes (at most ${MAX_INDEX_BYTES} read)`);
  }
  const text = await readFile(path, 'utf8');
  // The strict JSON reader of every other JSON input: JSON.parse would keep the last of two equal
  // keys silently, and a shard named twice must not be read as the last one alone.
  let parsed: unknown;
  try {
    parsed = plainJson(parseStrictJson(text));
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw layout(
      error.code === 'BAD_STRUCTURE'
        ? `${name} names the same key twice (${error.message} at character ${error.offset})`
        : `${name} is not JSON: ${error.message} at character ${error.offset}`,
    );
  }
  const map = (parsed as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw layout(`${name} has no weight_map object`);
  }
  const out = new Map<string, string>();
  for (const [tensor, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string') throw layout(`${name} maps ${tensor} to a non-string`);
    out.set(tensor, file);
  }
  if (out.size === 0) throw layout(`${name} has an empty weight_map`);
  return out;
}

async function convertGroup(
  root: string,
  temp: string,
  group: ModelGroup,
  maxShard: number,
  options: ConvertDirOptions,
): Promise<ConvertedModel> {
  const opened: { file: string; checkpoint: Checkpoint }[] = [];
  try {
    for (const file of group.files) {
      opened.push({ file, checkpoint: await openCheckpoint(join(root, file), options) });
    }
    const tensors: LoadedTensor[] = [];
    const origin = new Map<string, { file: string; dtype: string }>();
    const metadata = new Map<string, string>();
    let inputBytes = 0;
    for (const { file, checkpoint } of opened) {
      inputBytes += checkpoint.file.size;
      for (const t of checkpoint.tensors) {
        const seen = origin.get(t.name);
        if (seen !== undefined) {
          const dtypes =
            seen.dtype === t.dtype.name ? '' : ` (as ${seen.dtype} and as ${t.dtype.name})`;
          throw layout(`tensor '${t.name}' is in both ${seen.file} and ${file}${dtypes}`);
        }
        origin.set(t.name, { file, dtype: t.dtype.name });
        tensors.push(t);
      }
      for (const leaf of checkpoint.metadata) {
        const before = metadata.get(leaf.name);
        if (before !== undefined && before !== leaf.value) {
          throw layout(`metadata '${leaf.name}' differs between the shards`);
        }
        metadata.set(leaf.name, leaf.value);
      }
    }
    if (group.index !== undefined) {
      // After the duplicate check, so a tensor in two shards is reported as such.
      for (const [name, { file }] of origin) {
        const mapped = group.index.map.get(name);
        if (mapped !== file) {
          throw layout(
            mapped === undefined
              ? `${file} holds tensor '${name}', which ${group.index.name} does not name`
              : `${file} holds tensor '${name}', which ${group.index.name} places in ${mapped}`,
          );
        }
      }
      for (const [name, file] of group.index.map) {
        if (!origin.has(name)) {
          throw layout(
            `${group.index.name} places tensor '${name}' in ${file}, which does not hold it`,
          );
        }
      }
    }
    const { tensors: kept, aliases } =
      options.dedupe === false
        ? { tensors, aliases: new Map<string, string>() }
        : dedupeTensors(tensors);
    const shards = shardTensors(kept, maxShard);
    const names = shards.map((_, i) =>
      shards.length === 1
        ? `${group.base}.safetensors`
        : `${group.base}-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`,
    );
    const leaves: MetadataLeaf[] = [...metadata].map(([name, value]) => ({ name, value }));
    const plans = shards.map((shard) => {
      const here = new Set(shard.map((t) => t.name));
      const local = new Map([...aliases].filter(([, keptName]) => here.has(keptName)));
      return planSafetensors(
        shard,
        local.size === 0 ? leaves : [...leaves, { name: ALIASES_KEY, value: aliasesJson(local) }],
      );
    });
    const total = plans.reduce((a, p) => a + p.size, 0);
    const max = defaultMaxOutput(inputBytes);
    if (total > max) {
      throw new LoadError(
        'UNSUPPORTED',
        `the output would be ${total} bytes, over the ${max}-byte bound for ${inputBytes} bytes of input`,
      );
    }
    const unchanged = (): void => {
      for (const { file, checkpoint } of opened) checkpoint.file.assertUnchanged(join(root, file));
    };
    for (const [i, plan] of plans.entries()) {
      await writeSafetensors(plan, join(temp, names[i] ?? ''), { beforeCommit: unchanged });
    }
    const outputs = [...names];
    const tensorBytes = kept.reduce((a, t) => a + t.nbytes, 0);
    if (shards.length > 1) {
      const weightMap: Record<string, string> = {};
      const entries = shards.flatMap((shard, i) =>
        shard.map((t) => [t.name, names[i] ?? ''] as const),
      );
      for (const [name, file] of entries.sort(([a], [b]) => compareText(a, b)))
        weightMap[name] = file;
      const index = `${group.base}.safetensors.index.json`;
      const body = { metadata: { total_size: tensorBytes }, weight_map: weightMap };
      await writeFile(join(temp, index), `${JSON.stringify(body, null, 2)}\n`, { flag: 'wx' });
      outputs.push(index);
    }
    unchanged();
    const dropped = opened.flatMap(({ file, checkpoint }) =>
      checkpoint.dropped.map((d) => ({ file, ...d })),
    );
    return { inputs: group.files, outputs, tensors: kept.length, aliases, tensorBytes, dropped };
  } finally {
    await Promise.all(opened.map(({ checkpoint }) => checkpoint.close()));
  }
}

function pad(n: number): string {
  return String(n).padStart(5, '0');
}

/**
 * Cuts tensors into shards in order, as transformers does: a tensor that would take the shard
 * over `max` starts a new one; a tensor larger than `max` gets a shard of its own.
 */
function shardTensors(tensors: readonly LoadedTensor[], max: number): LoadedTensor[][] {
  const shards: LoadedTensor[][] = [[]];
  let size = 0;
  for (const t of tensors) {
    const current = shards[shards.length - 1] ?? [];
    if (current.length > 0 && size + t.nbytes > max) {
      shards.push([t]);
      size = t.nbytes;
    } else {
      current.push(t);
      size += t.nbytes;
    }
  }
  return shards;
}

/** Refuses an output that exists and may not be replaced (not a folder, or no --force). */
async function assertOutputFolder(output: string, force: boolean): Promise<void> {
  let stats;
  try {
    stats = await lstat(output);
  } catch {
    return;
  }
  if (!stats.isDirectory()) {
    throw Object.assign(new Error(`${output} exists and is not a folder; it is never replaced`), {
      code: 'ENOTDIR',
    });
  }
  if (!force) {
    throw Object.assign(new Error(`${output} exists; pass --force to replace it`), {
      code: 'EEXIST',
    });
  }
}

/**
 * Puts the finished folder in place. Without `force` the rename fails if `output` appeared
 * meanwhile (unless it is an empty folder, which rename replaces). With it, an existing folder is
 * moved aside first and removed once the new one is in place.
 */
async function commitFolder(temp: string, output: string, force: boolean): Promise<void> {
  await assertOutputFolder(output, force);
  let aside: string | undefined;
  try {
    await lstat(output);
    aside = `${temp}.old`;
    await rename(output, aside);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  try {
    await rename(temp, output);
  } catch (error) {
    if (aside !== undefined) await rename(aside, output).catch(() => undefined);
    throw error;
  }
  if (aside !== undefined) await rm(aside, { recursive: true, force: true });
}

/** True when `inner` is `outer` or lies inside it (both resolved). */
export function isWithin(inner: string, outer: string): boolean {
  const rel = relative(resolve(outer), resolve(inner));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

function layout(message: string): LoadError {
  return new LoadError('INVALID_LAYOUT', message);
}
