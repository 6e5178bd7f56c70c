import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Limits } from '../core/limits.js';
import { IN_TOTO_STATEMENT_V1, OMS_PREDICATE_V1 } from '../formats/oms/index.js';
import type { FileHashAlgorithm, HashTask } from './digest-file.js';
import { ProvenanceError } from './errors.js';
import { hashTasks } from './hash-pool.js';
import { comparePaths, listModelFiles, type ModelFile, type ModelFiles } from './walk.js';

/** The reference's default shard size (model_signing `shard_size=1_000_000_000`). */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;

/** One manifest entry: a file or a shard `path:start:end`, with its digest. */
export interface ManifestResource {
  readonly name: string;
  readonly algorithm: string;
  /** Lowercase hex. */
  readonly digest: string;
}

/** What a signature records about how the model was serialised, plus the resources. */
export interface Manifest {
  readonly modelName: string;
  readonly method: 'files' | 'shards';
  readonly hashType: FileHashAlgorithm;
  readonly shardSize?: number;
  readonly allowSymlinks: boolean;
  readonly ignorePaths: readonly string[];
  readonly resources: readonly ManifestResource[];
}

/** Options for {@link buildManifest}. */
export interface ManifestOptions {
  readonly hashType?: FileHashAlgorithm;
  /** Shard files into pieces of this many bytes (the `shards` method); whole files when absent. */
  readonly shardSize?: number;
  readonly ignorePaths?: readonly string[];
  readonly ignoreGitPaths?: boolean;
  readonly signaturePath?: string;
  readonly allowSymlinks?: boolean;
  /** Worker threads for hashing (default: one per core). */
  readonly workers?: number;
  readonly limits: Pick<Limits, 'maxEntries'>;
}

/** A hashing task for each file (or each shard of it), with its size, in manifest order. */
export function planTasks(
  files: readonly ModelFile[],
  hashType: FileHashAlgorithm,
  shardSize: number | undefined,
): { names: string[]; tasks: HashTask[]; sizes: number[] } {
  const names: string[] = [];
  const tasks: HashTask[] = [];
  const sizes: number[] = [];
  for (const file of files) {
    if (shardSize === undefined) {
      names.push(file.rel);
      tasks.push({ path: file.abs, algorithm: hashType, start: 0 });
      sizes.push(file.size);
      continue;
    }
    // Shards are [k*size, min((k+1)*size, fileSize)); an empty file has none (file_shard.py).
    for (let start = 0; start < file.size; start += shardSize) {
      const end = Math.min(start + shardSize, file.size);
      names.push(`${file.rel}:${start}:${end}`);
      tasks.push({ path: file.abs, algorithm: hashType, start, end });
      sizes.push(end - start);
    }
  }
  return { names, tasks, sizes };
}

/**
 * Hashes planned tasks and pairs each name with its digest. Throws ProvenanceError('READ_FAILED')
 * naming the first file that could not be read.
 */
export async function hashPlanned(
  plan: { names: readonly string[]; tasks: readonly HashTask[]; sizes: readonly number[] },
  algorithm: FileHashAlgorithm,
  workers: number | undefined,
): Promise<ManifestResource[]> {
  const outcomes = await hashTasks(
    plan.tasks,
    plan.sizes,
    workers === undefined ? {} : { workers },
  );
  return outcomes.map((o, i) => {
    const name = plan.names[i] ?? '';
    if (!o.ok) throw new ProvenanceError('READ_FAILED', `cannot hash ${name}: ${o.error}`);
    return { name, algorithm, digest: o.digest };
  });
}

/**
 * Serialises a model the way model_signing does: walks it (ignore rules, symlink policy), hashes
 * every file or shard, and orders resources by path components, then shard start and end.
 * Throws ProvenanceError (see listModelFiles; READ_FAILED when a file cannot be hashed).
 */
export async function buildManifest(
  modelPath: string,
  options: ManifestOptions,
): Promise<Manifest> {
  const hashType = options.hashType ?? 'sha256';
  if (
    options.shardSize !== undefined &&
    (!Number.isSafeInteger(options.shardSize) || options.shardSize <= 0)
  ) {
    throw new RangeError('shardSize must be a positive integer');
  }
  const listed: ModelFiles = await listModelFiles(modelPath, {
    maxEntries: options.limits.maxEntries,
    ...(options.ignorePaths === undefined ? {} : { ignorePaths: options.ignorePaths }),
    ...(options.ignoreGitPaths === undefined ? {} : { ignoreGitPaths: options.ignoreGitPaths }),
    ...(options.signaturePath === undefined ? {} : { signaturePath: options.signaturePath }),
    ...(options.allowSymlinks === undefined ? {} : { allowSymlinks: options.allowSymlinks }),
  });
  const plan = planTasks(listed.files, hashType, options.shardSize);
  const resources = await hashPlanned(plan, hashType, options.workers);
  return {
    modelName: basename(listed.root),
    method: options.shardSize === undefined ? 'files' : 'shards',
    hashType,
    ...(options.shardSize === undefined ? {} : { shardSize: options.shardSize }),
    // Links of a Hugging Face cache snapshot were followed: what the reference records for that
    // folder signed with --allow-symlinks.
    allowSymlinks: (options.allowSymlinks ?? false) || listed.followedCacheLinks,
    ignorePaths: listed.ignorePaths,
    resources: sortResources(resources),
  };
}

/** Sorts resources as the reference does: by path components, then numeric shard start, end. */
export function sortResources(resources: readonly ManifestResource[]): ManifestResource[] {
  const key = (name: string): [string, number, number] => {
    const m = /^(.+):(\d+):(\d+)$/.exec(name);
    return m === null ? [name, 0, 0] : [m[1] ?? '', Number(m[2]), Number(m[3])];
  };
  return [...resources].sort((x, y) => {
    const [pa, sa, ea] = key(x.name);
    const [pb, sb, eb] = key(y.name);
    return comparePaths(pa, pb) || sa - sb || ea - eb;
  });
}

/** SHA-256 over the raw resource digests in listed order: the subject digest of the statement. */
export function rootDigestOf(resources: readonly { readonly digest: string }[]): string {
  const hash = createHash('sha256');
  for (const r of resources) hash.update(Buffer.from(r.digest, 'hex'));
  return hash.digest('hex');
}

/**
 * The in-toto statement bytes for a manifest (the DSSE payload), with the reference's field names
 * and 2-space JSON indentation.
 */
export function statementBytes(manifest: Manifest): Uint8Array {
  const serialization: Record<string, unknown> = {
    method: manifest.method,
    hash_type: manifest.hashType,
    allow_symlinks: manifest.allowSymlinks,
    ignore_paths: manifest.ignorePaths,
  };
  if (manifest.shardSize !== undefined) serialization.shard_size = manifest.shardSize;
  const statement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: manifest.modelName, digest: { sha256: rootDigestOf(manifest.resources) } }],
    predicateType: OMS_PREDICATE_V1,
    predicate: {
      serialization,
      resources: manifest.resources.map((r) => ({
        name: r.name,
        algorithm: r.algorithm,
        digest: r.digest,
      })),
    },
  };
  return new TextEncoder().encode(JSON.stringify(statement, null, 2));
}
