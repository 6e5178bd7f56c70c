/**
 * The DSSE v1 pre-authentication encoding that a DSSE signature covers:
 * `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in ASCII decimal bytes
 * (secure-systems-lab/dsse, protocol.md).
 */
export function dssePae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(
    `DSSEv1 ${type.byteLength} ${payloadType} ${payload.byteLength} `,
    'utf8',
  );
  const out = new Uint8Array(head.byteLength + payload.byteLength);
  out.set(head, 0);
  out.set(payload, head.byteLength);
  return out;
}

/** The payload type OMS signs: an in-toto statement as JSON. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
