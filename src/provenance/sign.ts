import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FormatError } from '../core/errors.js';
import {
  BUNDLE_V03_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  dssePae,
  ecHashForKey,
  encodeBase64,
  parseCertificatesPem,
} from '../formats/oms/index.js';
import { ProvenanceError } from './errors.js';
import {
  buildManifest,
  rootDigestOf,
  statementBytes,
  type Manifest,
  type ManifestOptions,
} from './manifest.js';

/** The signature file name model_signing uses by default. */
export const DEFAULT_SIGNATURE_NAME = 'model.sig';

/** Options for {@link signModel}. */
export interface SignOptions extends Omit<ManifestOptions, 'signaturePath'> {
  /** PEM text of an EC private key on P-256, P-384 or P-521. */
  readonly privateKey: string;
  readonly password?: string;
  /** PEM text of the signing (leaf) certificate, for PKI signing. */
  readonly signingCertificate?: string;
  /** PEM texts of the certificates that follow the leaf (intermediates, optionally the root). */
  readonly certificateChain?: readonly string[];
  /** Where to write the bundle; default {@link defaultSignaturePath}. */
  readonly signaturePath?: string;
}

/** What {@link signModel} produced. */
export interface SignResult {
  readonly signaturePath: string;
  /** The bundle JSON as written. */
  readonly bundle: string;
  readonly manifest: Manifest;
  readonly rootDigest: string;
}

/**
 * Where a signature goes by default: `MODEL/model.sig` for a directory, `MODEL.sig` beside a
 * single-file model. Throws ProvenanceError('NO_INPUT') when the model does not exist.
 */
export async function defaultSignaturePath(modelPath: string): Promise<string> {
  const info = await stat(modelPath).catch((error: unknown) => {
    throw new ProvenanceError('NO_INPUT', `cannot read ${modelPath}`, { cause: error });
  });
  return info.isDirectory()
    ? join(resolve(modelPath), DEFAULT_SIGNATURE_NAME)
    : `${resolve(modelPath)}.sig`;
}

/** The public-key hint OMS records: hex SHA-256 of the key's SPKI PEM text. */
export function publicKeyHint(key: KeyObject): string {
  const pem = key.export({ type: 'spki', format: 'pem' });
  return createHash('sha256').update(pem).digest('hex');
}

function loadPrivateKey(pem: string, password: string | undefined): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(
      password === undefined
        ? { key: pem, format: 'pem' }
        : { key: pem, format: 'pem', passphrase: password },
    );
  } catch (error) {
    throw new ProvenanceError('BAD_KEY', 'private key does not parse (wrong password?)', {
      cause: error,
    });
  }
  try {
    ecHashForKey(key);
  } catch (error) {
    if (error instanceof FormatError)
      throw new ProvenanceError('BAD_KEY', error.message, { cause: error });
    throw error;
  }
  return key;
}

/**
 * Signs a model as an OMS v1.0 bundle (Sigstore bundle v0.3, DSSE, in-toto statement) and writes
 * it. Key signing records `publicKey.hint`; PKI signing records the leaf and chain as DER.
 * Throws ProvenanceError: BAD_KEY (unparsable or unsupported key, certificate not matching the
 * key), and the errors of buildManifest.
 */
export async function signModel(modelPath: string, options: SignOptions): Promise<SignResult> {
  const key = loadPrivateKey(options.privateKey, options.password);
  const publicKey = createPublicKey(key);
  const hash = ecHashForKey(key);

  let material: Record<string, unknown>;
  if (options.signingCertificate === undefined) {
    material = { publicKey: { hint: publicKeyHint(publicKey) }, tlogEntries: [] };
  } else {
    let certs;
    try {
      certs = [options.signingCertificate, ...(options.certificateChain ?? [])].flatMap(
        parseCertificatesPem,
      );
    } catch (error) {
      throw new ProvenanceError('BAD_KEY', 'certificate does not parse', { cause: error });
    }
    const leaf = certs[0];
    if (!leaf?.publicKey.equals(publicKey)) {
      throw new ProvenanceError(
        'BAD_KEY',
        'the signing certificate does not match the private key',
      );
    }
    material = {
      x509CertificateChain: { certificates: certs.map((c) => ({ rawBytes: encodeBase64(c.raw) })) },
      tlogEntries: [],
    };
  }

  const signaturePath = options.signaturePath ?? (await defaultSignaturePath(modelPath));
  const manifest = await buildManifest(modelPath, { ...options, signaturePath });
  const payload = statementBytes(manifest);
  const signature = sign(hash, dssePae(IN_TOTO_PAYLOAD_TYPE, payload), key);
  const bundle = JSON.stringify({
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: material,
    dsseEnvelope: {
      payload: encodeBase64(payload),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: encodeBase64(signature), keyid: '' }],
    },
  });
  await writeFile(signaturePath, bundle);
  return { signaturePath, bundle, manifest, rootDigest: rootDigestOf(manifest.resources) };
}
