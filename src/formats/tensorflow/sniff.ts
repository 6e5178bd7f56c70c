/**
 * Conservative content checks for protobuf model files, which have no magic number. Each walks
 * the first top-level fields of the head bytes and accepts only the field numbers and wire types
 * of the expected message; anything else is left to the other sniffers.
 */

import { topFields } from '../protobuf/top-fields.js';

/** True when `head` starts like a serialized SavedModel (schema version 1, then a MetaGraphDef). */
export function isSavedModelHead(head: Uint8Array, size: number): boolean {
  const { fields, clean } = topFields(head, 4);
  if (!clean || fields.length === 0) return false;
  let i = 0;
  const first = fields[0];
  if (first?.field === 1 && first.wire === 0) {
    if (first.value !== 1) return false;
    i = 1;
  }
  const meta = fields[i];
  if (meta?.field !== 2 || meta.wire !== 2 || meta.length < 2 || meta.value + meta.length > size)
    return false;
  // MetaGraphDef starts with meta_info_def (1) or graph_def (2), both messages.
  const b = head[meta.value];
  return b === 0x0a || b === 0x12;
}

/** True when `head` starts like a frozen GraphDef: a NodeDef with a printable name and an op name. */
export function isGraphDefHead(head: Uint8Array, size: number): boolean {
  const { fields } = topFields(head, 1);
  const node = fields[0];
  if (node?.field !== 1 || node.wire !== 2 || node.length < 4 || node.value + node.length > size)
    return false;
  const inner = head.subarray(node.value, Math.min(head.byteLength, node.value + node.length));
  const { fields: nf } = topFields(inner, 2);
  const [name, op] = nf;
  if (name?.field !== 1 || name.wire !== 2 || op?.field !== 2 || op.wire !== 2) return false;
  if (
    name.length < 1 ||
    op.length < 1 ||
    op.length > 128 ||
    op.value + op.length > inner.byteLength
  )
    return false;
  const nameBytes = inner.subarray(name.value, name.value + name.length);
  const opBytes = inner.subarray(op.value, op.value + op.length);
  // TF node names match [A-Za-z0-9.][A-Za-z0-9_>./-]*; op names are CamelCase identifiers.
  return (
    nameBytes.every((c) => c > 0x20 && c < 0x7f) &&
    opBytes.every(
      (c) =>
        (c >= 0x30 && c <= 0x39) ||
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x61 && c <= 0x7a) ||
        c === 0x5f,
    ) &&
    (opBytes[0] ?? 0) >= 0x41 &&
    (opBytes[0] ?? 0) <= 0x5a
  );
}

/**
 * True when `head` starts like `keras_metadata.pb` (tf.keras SavedModel metadata, SavedMetadata):
 * a `nodes` entry (field 1) whose SavedObject carries an identifier (field 4) starting with
 * `_tf_keras`.
 */
export function isKerasMetadataHead(head: Uint8Array, size: number): boolean {
  const { fields } = topFields(head, 1);
  const node = fields[0];
  if (node?.field !== 1 || node.wire !== 2 || node.length < 4 || node.value + node.length > size)
    return false;
  const inner = head.subarray(node.value, Math.min(head.byteLength, node.value + node.length));
  const { fields: nf } = topFields(inner, 3);
  const id = nf.find((f) => f.field === 4 && f.wire === 2);
  if (id === undefined || id.value + id.length > inner.byteLength) return false;
  const prefix = [0x5f, 0x74, 0x66, 0x5f, 0x6b, 0x65, 0x72, 0x61, 0x73]; // "_tf_keras"
  return id.length >= prefix.length && prefix.every((c, i) => inner[id.value + i] === c);
}
