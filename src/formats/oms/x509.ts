import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { FormatError } from '../../core/errors.js';
import { decodeBase64Strict } from './base64.js';

/** The digest an OMS ECDSA signature uses, chosen by the key's curve (sign_ec_key.py). */
export type EcHash = 'sha256' | 'sha384' | 'sha512';

const CURVE_HASH: ReadonlyMap<string, EcHash> = new Map([
  ['prime256v1', 'sha256'],
  ['secp384r1', 'sha384'],
  ['secp521r1', 'sha512'],
]);

/** A DER tag-length-value header: `start` is where the contents begin, `end` where they stop. */
interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Reads one DER TLV at `pos` within `[pos, limit)`. Throws TRUNCATED when the declared length
 * runs past `limit`, BAD_LENGTH on indefinite or over-long length forms (DER forbids both).
 */
function readTlv(der: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new FormatError('TRUNCATED', 'DER header truncated', pos);
  const tag = der[pos] ?? 0;
  const first = der[pos + 1] ?? 0;
  let at = pos + 2;
  let length = first;
  if (first === 0x80) throw new FormatError('BAD_LENGTH', 'indefinite DER length', pos);
  if (first > 0x80) {
    const count = first & 0x7f;
    // Four length bytes cover 4 GiB, far beyond any certificate; more is an attack or garbage.
    if (count > 4) throw new FormatError('BAD_LENGTH', 'DER length too long', pos);
    if (at + count > limit) throw new FormatError('TRUNCATED', 'DER length truncated', pos);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[at + i] ?? 0);
    at += count;
  }
  if (at + length > limit) {
    throw new FormatError('TRUNCATED', `DER value needs ${length} bytes, have ${limit - at}`, pos);
  }
  return { tag, start: at, end: at + length };
}

/**
 * Parses one DER certificate. Throws TRUNCATED when the outer SEQUENCE claims more bytes than
 * exist, BAD_LENGTH on trailing bytes, BAD_VALUE when OpenSSL rejects the contents.
 */
export function parseCertificateDer(der: Uint8Array): X509Certificate {
  const outer = readTlv(der, 0, der.byteLength);
  if (outer.tag !== 0x30)
    throw new FormatError('BAD_MAGIC', 'certificate is not a DER SEQUENCE', 0);
  if (outer.end !== der.byteLength) {
    throw new FormatError('BAD_LENGTH', 'trailing bytes after the certificate', outer.end);
  }
  try {
    return new X509Certificate(Buffer.from(der.buffer, der.byteOffset, der.byteLength));
  } catch (error) {
    throw new FormatError('BAD_VALUE', 'certificate does not parse', 0, { cause: error });
  }
}

/**
 * The blocks of a PEM text with the given label (`CERTIFICATE`, `PUBLIC KEY`), decoded.
 * Throws BAD_VALUE on bad base64 inside a block, BAD_STRUCTURE on an unterminated block.
 */
export function parsePemBlocks(text: string, label: string): Uint8Array[] {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const out: Uint8Array[] = [];
  let from = 0;
  for (;;) {
    const b = text.indexOf(begin, from);
    if (b < 0) break;
    const e = text.indexOf(end, b + begin.length);
    if (e < 0) throw new FormatError('BAD_STRUCTURE', `unterminated PEM ${label} block`, b);
    const body = text.slice(b + begin.length, e).replace(/\s+/g, '');
    out.push(decodeBase64Strict(body, `PEM ${label}`));
    from = e + end.length;
  }
  return out;
}

/** Parses every `CERTIFICATE` block of a PEM text; BAD_STRUCTURE when there is none. */
export function parseCertificatesPem(text: string): X509Certificate[] {
  const blocks = parsePemBlocks(text, 'CERTIFICATE');
  if (blocks.length === 0) throw new FormatError('BAD_STRUCTURE', 'no PEM certificate found', 0);
  return blocks.map(parseCertificateDer);
}

/** Parses a PEM (SPKI) public key; BAD_VALUE when OpenSSL rejects it. */
export function parsePublicKeyPem(text: string | Uint8Array): KeyObject {
  try {
    const pem = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
    return createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new FormatError('BAD_VALUE', 'public key does not parse', 0, { cause: error });
  }
}

/**
 * The hash OMS pairs with an EC key's curve: P-256 → SHA-256, P-384 → SHA-384, P-521 → SHA-512.
 * Throws UNSUPPORTED_FEATURE for other curves or non-EC keys (the reference accepts only these).
 */
export function ecHashForKey(key: KeyObject): EcHash {
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const hash = curve === undefined ? undefined : CURVE_HASH.get(curve);
  if (hash === undefined) {
    const what = curve ?? key.asymmetricKeyType ?? 'unknown';
    throw new FormatError('UNSUPPORTED_FEATURE', `unsupported key type ${what}`, 0);
  }
  return hash;
}

/** The `keyDetails` name Sigstore uses for an EC key (PKIX_ECDSA_P384_SHA_384 …). */
export function keyDetailsForKey(key: KeyObject): string {
  const hash = ecHashForKey(key);
  return hash === 'sha256'
    ? 'PKIX_ECDSA_P256_SHA_256'
    : hash === 'sha384'
      ? 'PKIX_ECDSA_P384_SHA_384'
      : 'PKIX_ECDSA_P521_SHA_512';
}

/** What a certificate's KeyUsage extension (2.5.29.15) says; `present: false` when absent. */
export interface KeyUsageBits {
  readonly present: boolean;
  readonly digitalSignature: boolean;
}

const KEY_USAGE_OID = Uint8Array.of(0x55, 0x1d, 0x0f);

/**
 * Reads the KeyUsage extension of a DER certificate (RFC 5280 §4.2.1.3); Node's X509Certificate
 * exposes only the extended key usage. Throws FormatError on malformed DER.
 */
export function readKeyUsage(der: Uint8Array): KeyUsageBits {
  const cert = readTlv(der, 0, der.byteLength);
  const tbs = readTlv(der, cert.start, cert.end);
  let pos = tbs.start;
  // Walk the TBSCertificate fields to the [3] extensions wrapper (bounded: each step advances).
  while (pos < tbs.end) {
    const field = readTlv(der, pos, tbs.end);
    pos = field.end;
    if (field.tag !== 0xa3) continue;
    const list = readTlv(der, field.start, field.end);
    let at = list.start;
    while (at < list.end) {
      const ext = readTlv(der, at, list.end);
      at = ext.end;
      const oid = readTlv(der, ext.start, ext.end);
      const id = der.subarray(oid.start, oid.end);
      if (oid.tag !== 0x06 || !sameBytes(id, KEY_USAGE_OID)) continue;
      let next = readTlv(der, oid.end, ext.end);
      if (next.tag === 0x01) next = readTlv(der, next.end, ext.end); // critical flag
      const bits = readTlv(der, next.start, next.end);
      if (bits.tag !== 0x03 || bits.end - bits.start < 2)
        return { present: true, digitalSignature: false };
      return { present: true, digitalSignature: ((der[bits.start + 1] ?? 0) & 0x80) !== 0 };
    }
  }
  return { present: false, digitalSignature: false };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}
