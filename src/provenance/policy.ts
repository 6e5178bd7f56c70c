import { access, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import type { SignatureCheck } from '../core/signature-check.js';
import { DEFAULT_SIGNATURE_NAME } from './sign.js';
import { verifyModel, type VerifyOptions } from './verify.js';

/** What `scan --require-signature` demands of a model; paths are files to read. */
export interface SignaturePolicy {
  /** The signature file; default `MODEL/model.sig`, or `MODEL.sig` / `model.sig` beside a file. */
  readonly signature?: string;
  /** PEM public key file. */
  readonly publicKey?: string;
  /** PEM files of trusted certificates (roots, optionally intermediates). */
  readonly certificateChain?: readonly string[];
  /** Keyless: expected certificate identity (exact). */
  readonly identity?: string;
  /** Keyless: expected OIDC issuer. */
  readonly identityProvider?: string;
  /** Keyless: trusted_root.json (or a ClientTrustConfig) file. */
  readonly trustConfig?: string;
  readonly ignoreUnsignedFiles?: boolean;
}

export type { SignatureCheck } from '../core/signature-check.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Resolves the signature file for a model: `policy.signature`, else `MODEL/model.sig` for a
 * directory, else `MODEL.sig` beside a file, falling back to `model.sig` in the same directory.
 */
export async function findSignature(modelPath: string, signature?: string): Promise<string> {
  if (signature !== undefined) return resolve(signature);
  const root = resolve(modelPath);
  const info = await stat(root).catch(() => undefined);
  if (info?.isDirectory() === true) return join(root, DEFAULT_SIGNATURE_NAME);
  const beside = `${root}.sig`;
  const shared = join(dirname(root), DEFAULT_SIGNATURE_NAME);
  return (await exists(beside)) || !(await exists(shared)) ? beside : shared;
}

/**
 * Checks that a model carries a valid OMS signature from a trusted signer. Never throws for bad
 * input: unreadable keys, models or signatures become problems.
 */
export async function checkModelSignature(
  modelPath: string,
  policy: SignaturePolicy,
  limits: Limits = DEFAULT_LIMITS,
): Promise<SignatureCheck> {
  const signaturePath = await findSignature(modelPath, policy.signature);
  const invalid = (problem: string): SignatureCheck => ({
    model: modelPath,
    ok: false,
    problems: [problem],
    status: 'invalid',
    signaturePath,
  });
  if (!(await exists(signaturePath))) {
    return {
      model: modelPath,
      ok: false,
      problems: [`no signature at ${signaturePath}`],
      status: 'missing',
      signaturePath,
    };
  }
  const read = async (path: string): Promise<string> => readFile(path, 'utf8');
  let options: VerifyOptions;
  try {
    options = {
      signaturePath,
      limits,
      ...(policy.publicKey === undefined ? {} : { publicKey: await read(policy.publicKey) }),
      ...(policy.certificateChain === undefined
        ? {}
        : { certificateChain: await Promise.all(policy.certificateChain.map(read)) }),
      ...(policy.identity === undefined ? {} : { identity: policy.identity }),
      ...(policy.identityProvider === undefined
        ? {}
        : { identityProvider: policy.identityProvider }),
      ...(policy.trustConfig === undefined
        ? {}
        : { trustedRoot: JSON.parse(await read(policy.trustConfig)) as unknown }),
      ...(policy.ignoreUnsignedFiles === undefined
        ? {}
        : { ignoreUnsignedFiles: policy.ignoreUnsignedFiles }),
    };
  } catch (error) {
    return invalid(`cannot read the signature policy's key material: ${(error as Error).message}`);
  }
  try {
    const result = await verifyModel(modelPath, options);
    return {
      model: modelPath,
      ok: result.ok,
      ...(result.signer === undefined ? {} : { signer: result.signer }),
      problems: result.problems.map((p) => `${p.code}: ${p.message}`),
      status: result.ok ? 'valid' : 'invalid',
      signaturePath,
    };
  } catch (error) {
    return invalid((error as Error).message);
  }
}

/**
 * `checkModelSignature` for each model path in turn: what a caller runs before a scan and hands
 * it as `ScanOptions.signatures` (the engine never verifies signatures itself).
 */
export async function checkModelSignatures(
  modelPaths: readonly string[],
  policy: SignaturePolicy,
  limits: Limits = DEFAULT_LIMITS,
): Promise<SignatureCheck[]> {
  const out: SignatureCheck[] = [];
  for (const path of modelPaths) out.push(await checkModelSignature(path, policy, limits));
  return out;
}
