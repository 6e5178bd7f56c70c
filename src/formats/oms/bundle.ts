import type { X509Certificate } from 'node:crypto';
import { decodeUtf8 } from '../../core/byte-reader.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { decodeBase64Strict } from './base64.js';
import { IN_TOTO_PAYLOAD_TYPE } from './dsse.js';
import { arrayField, asObject, field, stringField, type JsonObject } from './json-shape.js';
import { parseCertificateDer } from './x509.js';

/** The media type prefix of every Sigstore bundle version (v0.1 … v0.3). */
export const BUNDLE_MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle';
/** The media type OMS writes (a v0.3 bundle). */
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** How the bundle says who signed it. */
export type OmsVerificationMaterial =
  | {
      /** Private-key signing: a SHA-256 hint of the PEM (≥ 1.1) or the PEM itself (< 1.1). */
      readonly kind: 'publicKey';
      readonly hint?: string;
      readonly rawBytes?: Uint8Array;
      readonly keyDetails?: string;
    }
  | {
      /** PKI signing: leaf first, then intermediates, all from the bundle. */
      readonly kind: 'certificateChain';
      readonly certificates: readonly X509Certificate[];
    }
  | {
      /** Keyless Sigstore signing: the Fulcio leaf. */
      readonly kind: 'certificate';
      readonly certificate: X509Certificate;
    };

/** A decoded OMS signature file: a Sigstore bundle holding a DSSE envelope. */
export interface OmsBundle {
  readonly mediaType: string;
  readonly material: OmsVerificationMaterial;
  /** Number of transparency-log entries (0 for key and certificate bundles). */
  readonly tlogEntryCount: number;
  readonly payloadType: string;
  /** The DSSE payload bytes (an in-toto statement). */
  readonly payload: Uint8Array;
  /** The DSSE signatures (DER ECDSA for OMS); `keyid` is ignored as the reference does. */
  readonly signatures: readonly Uint8Array[];
  /** The parsed JSON, for handing to @sigstore/verify on the keyless path. */
  readonly json: JsonObject;
}

/**
 * Decodes a Sigstore bundle JSON file (`model.sig`) as OMS writes it: shape-checked by hand.
 * Throws FormatError: LIMIT_EXCEEDED (over `limits.maxTextBytes`), BAD_UTF8, BAD_JSON,
 * BAD_STRUCTURE (missing or mistyped fields), UNSUPPORTED_VERSION (not a Sigstore bundle),
 * UNSUPPORTED_FEATURE (message-signature bundle or payload type other than in-toto JSON),
 * BAD_VALUE (bad base64, unparsable certificate), TRUNCATED (truncated certificate DER).
 */
export function parseOmsBundle(
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxTextBytes' | 'maxEntries'>,
): OmsBundle {
  checkLimit(bytes.byteLength, limits.maxTextBytes, 'signature file size', 0);
  const text = decodeUtf8(bytes, 0);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FormatError('BAD_JSON', 'signature is not JSON', 0, { cause: error });
  }
  const root = asObject(parsed, 'bundle');
  const mediaType = stringField(root, 'mediaType', 'bundle');
  if (!mediaType.startsWith(BUNDLE_MEDIA_TYPE_PREFIX)) {
    throw new FormatError('UNSUPPORTED_VERSION', `not a Sigstore bundle: ${mediaType}`, 0);
  }
  const envelopeValue = field(root, 'dsseEnvelope');
  if (envelopeValue === undefined) {
    throw new FormatError('UNSUPPORTED_FEATURE', 'bundle has no DSSE envelope', 0);
  }
  const envelope = asObject(envelopeValue, 'dsseEnvelope');
  const payloadType = stringField(envelope, 'payloadType', 'dsseEnvelope');
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new FormatError(
      'UNSUPPORTED_FEATURE',
      `payload type ${payloadType} is not in-toto JSON`,
      0,
    );
  }
  const payload = decodeBase64Strict(stringField(envelope, 'payload', 'dsseEnvelope'), 'payload');
  const sigList = arrayField(envelope, 'signatures', 'dsseEnvelope');
  if (sigList.length === 0)
    throw new FormatError('BAD_STRUCTURE', 'DSSE envelope has no signature', 0);
  checkLimit(sigList.length, limits.maxEntries, 'DSSE signatures', 0);
  const signatures = sigList.map((s, i) => {
    const sig = decodeBase64Strict(
      stringField(asObject(s, `signatures[${i}]`), 'sig', 'signature'),
      'sig',
    );
    if (sig.byteLength === 0) throw new FormatError('BAD_VALUE', 'empty signature', 0);
    return sig;
  });
  const vm = asObject(field(root, 'verificationMaterial'), 'verificationMaterial');
  const tlog = field(vm, 'tlogEntries');
  if (tlog !== undefined && !Array.isArray(tlog)) {
    throw new FormatError('BAD_STRUCTURE', 'tlogEntries must be an array', 0);
  }
  return {
    mediaType,
    material: readMaterial(vm, limits),
    tlogEntryCount: Array.isArray(tlog) ? tlog.length : 0,
    payloadType,
    payload,
    signatures,
    json: root,
  };
}

function readMaterial(vm: JsonObject, limits: Pick<Limits, 'maxEntries'>): OmsVerificationMaterial {
  const publicKey = field(vm, 'publicKey');
  if (publicKey !== undefined) {
    const pk = asObject(publicKey, 'publicKey');
    const hint = field(pk, 'hint');
    const raw = field(pk, 'rawBytes');
    const details = field(pk, 'keyDetails');
    if (hint !== undefined && typeof hint !== 'string') {
      throw new FormatError('BAD_STRUCTURE', 'publicKey.hint must be a string', 0);
    }
    if (raw !== undefined && typeof raw !== 'string') {
      throw new FormatError('BAD_STRUCTURE', 'publicKey.rawBytes must be a string', 0);
    }
    return {
      kind: 'publicKey',
      ...(hint === undefined ? {} : { hint }),
      ...(raw === undefined ? {} : { rawBytes: decodeBase64Strict(raw, 'publicKey.rawBytes') }),
      ...(typeof details === 'string' ? { keyDetails: details } : {}),
    };
  }
  const chain = field(vm, 'x509CertificateChain');
  if (chain !== undefined) {
    const list = arrayField(
      asObject(chain, 'x509CertificateChain'),
      'certificates',
      'x509CertificateChain',
    );
    if (list.length === 0) throw new FormatError('BAD_STRUCTURE', 'empty certificate chain', 0);
    checkLimit(list.length, limits.maxEntries, 'certificates', 0);
    return {
      kind: 'certificateChain',
      certificates: list.map((c, i) => readCert(c, `certificates[${i}]`)),
    };
  }
  const cert = field(vm, 'certificate');
  if (cert !== undefined)
    return { kind: 'certificate', certificate: readCert(cert, 'certificate') };
  throw new FormatError('BAD_STRUCTURE', 'verificationMaterial has no key or certificate', 0);
}

function readCert(value: unknown, what: string): X509Certificate {
  const raw = stringField(asObject(value, what), 'rawBytes', what);
  return parseCertificateDer(decodeBase64Strict(raw, `${what}.rawBytes`));
}
