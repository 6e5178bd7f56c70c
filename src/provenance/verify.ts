import { verify as verifySignature, type KeyObject, type X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { FormatError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import {
  dssePae,
  ecHashForKey,
  parseCertificatesPem,
  parseOmsBundle,
  parseOmsStatement,
  parsePublicKeyPem,
  readKeyUsage,
  type OmsBundle,
  type OmsStatement,
} from '../formats/oms/index.js';
import { ProvenanceError } from './errors.js';
import { hashPlanned, planTasks, rootDigestOf } from './manifest.js';
import { publicKeyHint } from './sign.js';
import { listModelFiles, normaliseRecordedIgnorePath, type ModelFile } from './walk.js';

/** Why a verification failed; codes are API. */
export type VerifyProblemCode =
  | 'MALFORMED_SIGNATURE'
  | 'NO_TRUST_MATERIAL'
  | 'WRONG_SIGNATURE_KIND'
  | 'KEY_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'UNTRUSTED_CERTIFICATE'
  | 'IDENTITY_MISMATCH'
  | 'ROOT_DIGEST_MISMATCH'
  | 'UNSUPPORTED_HASH'
  | 'WRONG_MODEL_KIND'
  | 'MODEL_UNREADABLE'
  | 'DIGEST_MISMATCH'
  | 'MISSING_FILE'
  | 'UNSIGNED_FILE';

/** One reason a verification failed, naming the file when there is one. */
export interface VerifyProblem {
  readonly code: VerifyProblemCode;
  readonly message: string;
  readonly path?: string;
  /** The FormatError code when `code` is MALFORMED_SIGNATURE. */
  readonly formatCode?: string;
}

/** The outcome of {@link verifyModel}. */
export interface VerifyResult {
  readonly ok: boolean;
  /** Who signed, once the signature is authenticated: key hint, certificate subject or identity. */
  readonly signer?: string;
  readonly method?: 'key' | 'certificate' | 'sigstore';
  readonly problems: readonly VerifyProblem[];
  readonly statement?: OmsStatement;
  /** Number of signed files whose digests were recomputed. */
  readonly checkedFiles: number;
}

/** Options for {@link verifyModel}: exactly one of publicKey, certificateChain or identity. */
export interface VerifyOptions {
  readonly signaturePath: string;
  /** PEM text of the signer's public key. */
  readonly publicKey?: string;
  /** PEM texts of trusted certificates (roots, optionally intermediates). */
  readonly certificateChain?: readonly string[];
  /** Expected certificate identity (SAN, exact match) of a keyless Sigstore signature. */
  readonly identity?: string;
  /** Expected OIDC issuer of a keyless Sigstore signature. */
  readonly identityProvider?: string;
  /** A Sigstore trusted_root.json (or a ClientTrustConfig holding `trustedRoot`), parsed JSON. */
  readonly trustedRoot?: unknown;
  /** Extra relative paths to ignore, on top of those the signature records. */
  readonly ignorePaths?: readonly string[];
  readonly ignoreGitPaths?: boolean;
  /** Allow files that the signature does not list. */
  readonly ignoreUnsignedFiles?: boolean;
  readonly workers?: number;
  readonly limits: Pick<Limits, 'maxEntries' | 'maxTextBytes'>;
}

const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';

class Problem extends Error {
  constructor(readonly problem: VerifyProblem) {
    super(problem.message);
  }
}

function fail(code: VerifyProblemCode, message: string, path?: string): never {
  throw new Problem({ code, message, ...(path === undefined ? {} : { path }) });
}

/**
 * Verifies an OMS signature over a model offline: authenticates the DSSE envelope with the given
 * key, certificate chain or Sigstore identity, then recomputes every digest with the recorded
 * serialization and compares file by file. Problems come back in the result; throws
 * ProvenanceError('NO_INPUT') only when the signature or model cannot be read at all.
 */
export async function verifyModel(
  modelPath: string,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const sigBytes = await readSignature(options.signaturePath, options.limits.maxTextBytes);
  await stat(modelPath).catch((error: unknown) => {
    throw new ProvenanceError('NO_INPUT', `cannot read ${modelPath}`, { cause: error });
  });
  let signer: string | undefined;
  let method: VerifyResult['method'];
  let statement: OmsStatement | undefined;
  try {
    const bundle = parse(() => parseOmsBundle(sigBytes, options.limits));
    ({ signer, method } = authenticate(bundle, options));
    statement = parse(() => parseOmsStatement(bundle.payload, options.limits));
    if (rootDigestOf(statement.resources) !== statement.rootDigest) {
      fail('ROOT_DIGEST_MISMATCH', 'the resources do not hash to the signed root digest');
    }
    if (statement.hashType === 'blake3')
      fail('UNSUPPORTED_HASH', 'blake3 digests are not supported');
    const { problems, checked } = await compareModel(modelPath, statement, options);
    return {
      ok: problems.length === 0,
      signer,
      method,
      problems,
      statement,
      checkedFiles: checked,
    };
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    return {
      ok: false,
      ...(signer === undefined ? {} : { signer }),
      ...(method === undefined ? {} : { method }),
      problems: [error.problem],
      ...(statement === undefined ? {} : { statement }),
      checkedFiles: 0,
    };
  }
}

async function readSignature(path: string, maxBytes: number): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) {
      fail('MALFORMED_SIGNATURE', `signature file is larger than ${maxBytes} bytes`);
    }
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof Problem) throw error;
    throw new ProvenanceError('NO_INPUT', `cannot read signature ${path}`, { cause: error });
  }
}

function parse<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new Problem({
      code: 'MALFORMED_SIGNATURE',
      message: error.message,
      formatCode: error.code,
    });
  }
}

function checkDsse(bundle: OmsBundle, key: KeyObject): void {
  let hash;
  try {
    hash = ecHashForKey(key);
  } catch (error) {
    if (error instanceof FormatError) fail('KEY_MISMATCH', error.message);
    throw error;
  }
  const pae = dssePae(bundle.payloadType, bundle.payload);
  // OMS writes one signature; any one verifying with the trusted key authenticates the payload.
  if (!bundle.signatures.some((sig) => verifySignature(hash, pae, key, sig))) {
    fail('SIGNATURE_INVALID', 'the DSSE signature does not verify with the trusted key');
  }
}

function authenticate(
  bundle: OmsBundle,
  options: VerifyOptions,
): { signer: string; method: NonNullable<VerifyResult['method']> } {
  const m = bundle.material;
  if (options.publicKey !== undefined) {
    const key = parse(() => parsePublicKeyPem(options.publicKey ?? ''));
    if (m.kind !== 'publicKey')
      fail('WRONG_SIGNATURE_KIND', `the bundle is signed with a ${m.kind}, not a key`);
    const hint = publicKeyHint(key);
    if (m.hint !== undefined && m.hint !== hint)
      fail('KEY_MISMATCH', 'the bundle names a different public key');
    if (m.rawBytes !== undefined) {
      const raw = m.rawBytes;
      const embedded = parse(() => parsePublicKeyPem(raw));
      if (!embedded.equals(key)) fail('KEY_MISMATCH', 'the bundle carries a different public key');
    }
    checkDsse(bundle, key);
    return { signer: `key sha256:${hint}`, method: 'key' };
  }
  if (options.certificateChain !== undefined) {
    if (m.kind !== 'certificateChain') {
      fail(
        'WRONG_SIGNATURE_KIND',
        `the bundle is signed with a ${m.kind}, not a certificate chain`,
      );
    }
    const anchors = options.certificateChain.flatMap((pem) =>
      parse(() => parseCertificatesPem(pem)),
    );
    const leaf = checkChain(m.certificates, anchors);
    checkDsse(bundle, leaf.publicKey);
    return { signer: leaf.subject.replace(/\n/g, ', '), method: 'certificate' };
  }
  if (options.identity !== undefined || options.identityProvider !== undefined) {
    // v0.3 bundles carry the Fulcio leaf alone; v0.1/v0.2 keyless bundles carry it as a chain.
    if (m.kind === 'publicKey' || bundle.tlogEntryCount === 0) {
      fail('WRONG_SIGNATURE_KIND', `the bundle is signed with a ${m.kind}, not keyless`);
    }
    if (options.trustedRoot === undefined)
      fail('NO_TRUST_MATERIAL', 'keyless verification offline needs --trust-config');
    return { signer: verifyKeyless(bundle, options), method: 'sigstore' };
  }
  return fail(
    'NO_TRUST_MATERIAL',
    'no public key, certificate chain or identity to verify against',
  );
}

/**
 * Builds the path leaf → … → a trusted certificate, as model_signing does: every certificate
 * must be valid at the leaf's notBefore (there is no timestamp), each must be issued and signed
 * by the next, and the leaf must allow digital signatures or code signing. Returns the leaf.
 */
function checkChain(
  bundleCerts: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): X509Certificate {
  const leaf = bundleCerts[0];
  if (leaf === undefined) return fail('UNTRUSTED_CERTIFICATE', 'empty certificate chain');
  const at = new Date(leaf.validFrom).getTime();
  const isAnchor = (c: X509Certificate): boolean =>
    anchors.some((a) => a.fingerprint256 === c.fingerprint256);
  const issues = (issuer: X509Certificate, c: X509Certificate): boolean =>
    c.checkIssued(issuer) && c.verify(issuer.publicKey);
  let current = leaf;
  // A path is at most as long as all certificates we hold; the bound stops issuer loops.
  for (let depth = 0; depth <= bundleCerts.length + anchors.length; depth++) {
    if (at < new Date(current.validFrom).getTime() || at > new Date(current.validTo).getTime()) {
      fail(
        'UNTRUSTED_CERTIFICATE',
        `certificate ${current.subject.replace(/\n/g, ', ')} is not valid at signing time`,
      );
    }
    if (isAnchor(current)) {
      checkLeafUsage(leaf);
      return leaf;
    }
    const issuer =
      anchors.find((a) => issues(a, current)) ??
      bundleCerts.find((c) => c !== current && issues(c, current));
    if (issuer === undefined) break;
    current = issuer;
  }
  return fail(
    'UNTRUSTED_CERTIFICATE',
    'the certificate chain does not lead to a trusted certificate',
  );
}

function checkLeafUsage(leaf: X509Certificate): void {
  let usage;
  try {
    usage = readKeyUsage(new Uint8Array(leaf.raw));
  } catch {
    fail('UNTRUSTED_CERTIFICATE', 'the signing certificate has malformed extensions');
  }
  const eku = leaf.keyUsage as string[] | undefined;
  if (!usage.digitalSignature && !(eku ?? []).includes(CODE_SIGNING_EKU)) {
    fail(
      'UNTRUSTED_CERTIFICATE',
      'the signing certificate allows neither digital signatures nor code signing',
    );
  }
}

function verifyKeyless(bundle: OmsBundle, options: VerifyOptions): string {
  const rootJson = options.trustedRoot;
  if (typeof rootJson !== 'object' || rootJson === null || Array.isArray(rootJson)) {
    fail('NO_TRUST_MATERIAL', 'the trust config is not a JSON object');
  }
  // A ClientTrustConfig (sigstore-python --trust-config) wraps the trusted root.
  const trustedRoot = Object.hasOwn(rootJson, 'trustedRoot')
    ? (rootJson as Record<string, unknown>).trustedRoot
    : rootJson;
  let identity: { subjectAlternativeName?: string; extensions?: { issuer?: string } } | undefined;
  try {
    const trust = toTrustMaterial(TrustedRoot.fromJSON(trustedRoot));
    const entity = toSignedEntity(bundleFromJSON(bundle.json));
    identity = new Verifier(trust).verify(entity).identity;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    fail(
      'SIGNATURE_INVALID',
      `Sigstore verification failed: ${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`,
    );
  }
  const san = identity?.subjectAlternativeName;
  const issuer = identity?.extensions?.issuer;
  // Exact comparison: @sigstore/verify would treat the identity as a regular expression.
  if (options.identity !== undefined && san !== options.identity) {
    fail('IDENTITY_MISMATCH', `signed by ${san ?? 'an unknown identity'}, not ${options.identity}`);
  }
  if (options.identityProvider !== undefined && issuer !== options.identityProvider) {
    fail(
      'IDENTITY_MISMATCH',
      `identity issued by ${issuer ?? 'an unknown issuer'}, not ${options.identityProvider}`,
    );
  }
  return `${san ?? '?'} (${issuer ?? '?'})`;
}

async function compareModel(
  modelPath: string,
  statement: OmsStatement,
  options: VerifyOptions,
): Promise<{ problems: VerifyProblem[]; checked: number }> {
  let listed;
  try {
    listed = await listModelFiles(modelPath, {
      maxEntries: options.limits.maxEntries,
      ignorePaths: [
        ...(statement.ignorePaths ?? []).flatMap((p) => normaliseRecordedIgnorePath(p) ?? []),
        ...(options.ignorePaths ?? []),
      ],
      ignoreGitPaths: options.ignoreGitPaths ?? true,
      signaturePath: options.signaturePath,
      allowSymlinks: statement.allowSymlinks,
    });
  } catch (error) {
    if (error instanceof ProvenanceError) fail('MODEL_UNREADABLE', error.message);
    throw error;
  }
  const signedSingle = statement.resources.some((r) => r.path === '.');
  if (signedSingle && !listed.single) {
    fail('WRONG_MODEL_KIND', 'the signature covers a single file; pass that file as the model');
  }
  // A single-file model is `.` in the reference; the draft spec uses the basename. Accept both.
  const single = listed.single ? basename(resolve(modelPath)) : undefined;
  const pathOf = (p: string): string => (single !== undefined && p === single ? '.' : p);

  const signed = new Map<string, { name: string; digest: string }[]>();
  for (const r of statement.resources) {
    const path = pathOf(r.path);
    const list = signed.get(path) ?? [];
    list.push({
      name: r.path === path ? r.name : `.${r.name.slice(r.path.length)}`,
      digest: r.digest,
    });
    signed.set(path, list);
  }
  const local = new Map<string, ModelFile>(listed.files.map((f) => [f.rel, f]));
  const problems: VerifyProblem[] = [];
  const shown = (p: string): string => (p === '.' ? (single ?? p) : p);
  for (const path of signed.keys()) {
    if (!local.has(path))
      problems.push({
        code: 'MISSING_FILE',
        message: `signed file is missing: ${shown(path)}`,
        path: shown(path),
      });
  }
  for (const file of listed.files) {
    // Shard mode gives an empty file no resources, so only a non-empty unlisted file is new.
    const unlisted = !signed.has(file.rel) && !(statement.method === 'shards' && file.size === 0);
    if (unlisted && options.ignoreUnsignedFiles !== true) {
      problems.push({
        code: 'UNSIGNED_FILE',
        message: `file is not covered by the signature: ${file.rel}`,
        path: file.rel,
      });
    }
  }
  const toCheck = listed.files.filter((f) => signed.has(f.rel));
  const plan = planTasks(
    toCheck,
    statement.hashType === 'blake2b' ? 'blake2b' : 'sha256',
    statement.shardSize,
  );
  const expected = new Map<string, string>();
  for (const list of signed.values()) for (const r of list) expected.set(r.name, r.digest);
  // Shard names depend on the file size: a resized file has other names, so report it whole.
  const planned = new Set(plan.names);
  const resized = new Set<string>();
  for (const [path, list] of signed) {
    if (local.has(path) && list.some((r) => !planned.has(r.name))) resized.add(path);
  }
  const wanted = plan.names.map((n, i) => ({ n, i })).filter(({ n }) => expected.has(n));
  for (const name of plan.names) {
    if (!expected.has(name)) resized.add(name.replace(/:\d+:\d+$/, ''));
  }
  const outcome = await hashPlanned(
    {
      names: wanted.map((w) => w.n),
      tasks: wanted.map((w) => plan.tasks[w.i] ?? { path: '', algorithm: 'sha256', start: 0 }),
      sizes: wanted.map((w) => plan.sizes[w.i] ?? 0),
    },
    statement.hashType === 'blake2b' ? 'blake2b' : 'sha256',
    options.workers,
  ).catch((error: unknown) => {
    if (error instanceof ProvenanceError) fail('MODEL_UNREADABLE', error.message);
    throw error;
  });
  const changed = new Set(resized);
  for (const r of outcome) {
    if (expected.get(r.name) !== r.digest)
      changed.add(statement.method === 'shards' ? r.name.replace(/:\d+:\d+$/, '') : r.name);
  }
  for (const path of [...changed].sort()) {
    problems.push({
      code: 'DIGEST_MISMATCH',
      message: `file changed since signing: ${shown(path)}`,
      path: shown(path),
    });
  }
  return { problems, checked: toCheck.length };
}
