import { decodeUtf8 } from '../../core/byte-reader.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { arrayField, asObject, field, stringField } from './json-shape.js';

/** The in-toto statement type OMS payloads use. */
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/** The OMS v1.0 predicate type. */
export const OMS_PREDICATE_V1 = 'https://model_signing/signature/v1.0';
/** The v0.2 predicate, still accepted by the reference verifier but not supported here. */
export const OMS_PREDICATE_LEGACY = 'https://model_signing/Digests/v0.1';

/** Hash algorithms a resource digest may use; torchward computes sha256 and blake2b. */
export type OmsHashType = 'sha256' | 'blake2b' | 'blake3';

/** One `predicate.resources[]` entry: a file or a shard and its digest. */
export interface OmsResource {
  readonly name: string;
  readonly algorithm: string;
  /** Lowercase hex. */
  readonly digest: string;
  /** The file path (the name itself for files; the part before `:start:end` for shards). */
  readonly path: string;
  /** Shard range `[start, end)`; absent for the files method. */
  readonly start?: number;
  readonly end?: number;
}

/** The decoded in-toto statement of an OMS v1.0 signature. */
export interface OmsStatement {
  readonly subjectName: string;
  /** `subject[0].digest.sha256`, lowercase hex. */
  readonly rootDigest: string;
  readonly method: 'files' | 'shards';
  /** The hash of each resource, normalised (`sha256-sharded-8` → `sha256`). */
  readonly hashType: OmsHashType;
  readonly allowSymlinks: boolean;
  /** `serialization.ignore_paths` (recorded since model_signing 1.1.0); absent before. */
  readonly ignorePaths?: readonly string[];
  readonly shardSize?: number;
  readonly resources: readonly OmsResource[];
}

const HEX = /^[0-9a-f]+$/;
const DIGEST_HEX_LENGTH: Readonly<Record<OmsHashType, number>> = {
  sha256: 64,
  blake2b: 128,
  blake3: 64,
};

/**
 * Decodes the DSSE payload of an OMS signature. Throws FormatError: BAD_UTF8, BAD_JSON,
 * BAD_STRUCTURE (shape), UNSUPPORTED_VERSION (other statement or predicate type, including the
 * v0.2 legacy predicate), UNSUPPORTED_FEATURE (unknown method or hash), BAD_VALUE (bad digests,
 * unsafe resource names, bad shard ranges), LIMIT_EXCEEDED (more than `maxEntries` resources).
 */
export function parseOmsStatement(
  payload: Uint8Array,
  limits: Pick<Limits, 'maxEntries'>,
): OmsStatement {
  let parsed: unknown;
  const text = decodeUtf8(payload, 0);
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FormatError('BAD_JSON', 'payload is not JSON', 0, { cause: error });
  }
  const statement = asObject(parsed, 'statement');
  const type = stringField(statement, '_type', 'statement');
  if (type !== IN_TOTO_STATEMENT_V1)
    throw new FormatError('UNSUPPORTED_VERSION', `statement type ${type}`, 0);
  const predicateType = stringField(statement, 'predicateType', 'statement');
  if (predicateType !== OMS_PREDICATE_V1) {
    throw new FormatError('UNSUPPORTED_VERSION', `predicate type ${predicateType}`, 0);
  }
  const subjects = arrayField(statement, 'subject', 'statement');
  if (subjects.length !== 1)
    throw new FormatError('BAD_STRUCTURE', 'expected exactly one subject', 0);
  const subject = asObject(subjects[0], 'subject[0]');
  const subjectName = stringField(subject, 'name', 'subject[0]');
  const rootDigest = stringField(
    asObject(field(subject, 'digest'), 'subject[0].digest'),
    'sha256',
    'digest',
  );
  checkHex(rootDigest, 64, 'root digest');

  const predicate = asObject(field(statement, 'predicate'), 'predicate');
  const ser = asObject(field(predicate, 'serialization'), 'serialization');
  const method = stringField(ser, 'method', 'serialization');
  if (method !== 'files' && method !== 'shards') {
    throw new FormatError('UNSUPPORTED_FEATURE', `serialization method ${method}`, 0);
  }
  const hashType = normaliseHash(stringField(ser, 'hash_type', 'serialization'));
  const allow = field(ser, 'allow_symlinks');
  // protobuf Struct round-trips may turn the bool into a string; accept the two spellings only.
  const allowSymlinks = allow === true || allow === 'true';
  if (!(allow === undefined || allowSymlinks || allow === false || allow === 'false')) {
    throw new FormatError('BAD_STRUCTURE', 'allow_symlinks must be a boolean', 0);
  }
  const ignoreValue = field(ser, 'ignore_paths');
  let ignorePaths: string[] | undefined;
  if (ignoreValue !== undefined) {
    if (!Array.isArray(ignoreValue) || !ignoreValue.every((p) => typeof p === 'string')) {
      throw new FormatError('BAD_STRUCTURE', 'ignore_paths must be a list of strings', 0);
    }
    checkLimit(ignoreValue.length, limits.maxEntries, 'ignore_paths', 0);
    ignorePaths = ignoreValue;
  }
  let shardSize: number | undefined;
  if (method === 'shards') {
    const s = field(ser, 'shard_size');
    // The reference writes a float (8.0, via protobuf Struct); the draft spec an integer.
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s <= 0) {
      throw new FormatError('BAD_VALUE', 'shard_size must be a positive integer', 0);
    }
    shardSize = s;
  }

  const list = arrayField(predicate, 'resources', 'predicate');
  checkLimit(list.length, limits.maxEntries, 'resources', 0);
  const resources = list.map((value, i) => {
    const r = asObject(value, `resources[${i}]`);
    const name = stringField(r, 'name', `resources[${i}]`);
    const algorithm = stringField(r, 'algorithm', `resources[${i}]`);
    const digest = stringField(r, 'digest', `resources[${i}]`);
    if (normaliseHash(algorithm) !== hashType) {
      throw new FormatError('BAD_VALUE', `resource ${name} uses ${algorithm}, not ${hashType}`, 0);
    }
    checkHex(digest, DIGEST_HEX_LENGTH[hashType], `digest of ${name}`);
    return method === 'files'
      ? fileResource(name, algorithm, digest)
      : shardResource(name, algorithm, digest);
  });
  return {
    subjectName,
    rootDigest,
    method,
    hashType,
    allowSymlinks,
    ...(ignorePaths === undefined ? {} : { ignorePaths }),
    ...(shardSize === undefined ? {} : { shardSize }),
    resources,
  };
}

function normaliseHash(name: string): OmsHashType {
  // Older reference releases name the shard hasher `sha256-sharded-<size>`.
  const base = /^(sha256|blake2b?|blake3)(?:-sharded-\d+)?$/.exec(name)?.[1];
  if (base === 'sha256' || base === 'blake3') return base;
  if (base === 'blake2' || base === 'blake2b') return 'blake2b';
  throw new FormatError('UNSUPPORTED_FEATURE', `hash type ${name}`, 0);
}

function checkHex(value: string, length: number, what: string): void {
  if (value.length !== length || !HEX.test(value)) {
    throw new FormatError('BAD_VALUE', `${what} is not ${length} lowercase hex digits`, 0);
  }
}

/**
 * Rejects names that could point outside the model: absolute paths, `..`, empty components,
 * backslashes and NUL. `.` alone is the single-file model name the reference writes.
 */
export function checkResourcePath(path: string): void {
  if (path === '.') return;
  const parts = path.split('/');
  if (
    path.length === 0 ||
    path.includes('\0') ||
    path.includes('\\') ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new FormatError('BAD_VALUE', `unsafe resource name ${JSON.stringify(path)}`, 0);
  }
}

function fileResource(name: string, algorithm: string, digest: string): OmsResource {
  checkResourcePath(name);
  return { name, algorithm, digest, path: name };
}

function shardResource(name: string, algorithm: string, digest: string): OmsResource {
  // The path may itself contain ':', so the range is the last two fields.
  const m = /^(.+):(\d{1,16}):(\d{1,16})$/.exec(name);
  if (m === null) throw new FormatError('BAD_VALUE', `bad shard name ${JSON.stringify(name)}`, 0);
  const path = m[1] ?? '';
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!Number.isSafeInteger(end) || start >= end) {
    throw new FormatError('BAD_VALUE', `bad shard range in ${JSON.stringify(name)}`, 0);
  }
  checkResourcePath(path);
  return { name, algorithm, digest, path, start, end };
}
