import { FormatError } from '../../core/errors.js';

// Standard or URL-safe alphabet, optional padding: protobuf JSON (which Sigstore bundles are)
// accepts both, so a strict reader must too. Anything else is rejected instead of being skipped
// the way Buffer.from(…, 'base64') silently skips it.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Decodes base64 (standard or URL-safe, padding optional) strictly.
 * Throws FormatError('BAD_VALUE') on characters outside the alphabet, a bad length or bad
 * padding; `what` names the field in the message.
 */
export function decodeBase64Strict(text: string, what: string): Uint8Array {
  const body = text.replace(/=+$/, '');
  if (!BASE64.test(text) || text.length - body.length > 2 || body.length % 4 === 1) {
    throw new FormatError('BAD_VALUE', `${what} is not valid base64`, 0);
  }
  if (text.length !== body.length && text.length % 4 !== 0) {
    throw new FormatError('BAD_VALUE', `${what} has bad base64 padding`, 0);
  }
  const normal = body.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Buffer.from(normal, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Encodes bytes as standard, padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
