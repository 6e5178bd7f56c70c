// Protobuf helpers shared by the ONNX and TensorFlow decoders (and their sniffers).

/** A top-level protobuf field seen in the first bytes of a file (for sniffing only). */
export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  /** Varint value (wire type 0), or payload offset in `head` (wire type 2). */
  readonly value: number;
  readonly length: number;
}

/** Reads top-level fields until the head ends or an invalid tag; at most `max` fields. */
export function topFields(head: Uint8Array, max: number): { fields: ProtoField[]; clean: boolean } {
  const fields: ProtoField[] = [];
  let pos = 0;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = head[pos++];
      if (b === undefined) return undefined;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
    return undefined;
  };
  while (fields.length < max && pos < head.byteLength) {
    const tag = varint();
    if (tag === undefined) return { fields, clean: true };
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) return { fields, clean: false };
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return { fields, clean: true };
      fields.push({ field, wire, value: v, length: 0 });
    } else if (wire === 2) {
      const n = varint();
      if (n === undefined) return { fields, clean: true };
      fields.push({ field, wire, value: pos, length: n });
      pos += n;
    } else if (wire === 1 || wire === 5) {
      fields.push({ field, wire, value: 0, length: 0 });
      pos += wire === 1 ? 8 : 4;
    } else {
      return { fields, clean: false };
    }
  }
  return { fields, clean: true };
}
