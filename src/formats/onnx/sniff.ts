/**
 * Conservative content checks for protobuf model files, which have no magic number. Each walks
 * the first top-level fields of the head bytes and accepts only the field numbers and wire types
 * of the expected message; anything else is left to the other sniffers.
 */

import { topFields } from '../protobuf/top-fields.js';
import { isSavedModelHead } from '../tensorflow/sniff.js';

// ModelProto fields (onnx.proto): 1 ir_version and 5 model_version are varints; the rest are
// length-delimited (strings, graph 7, opset_import 8, metadata_props 14, training_info 20,
// functions 25).
const ONNX_VARINT = new Set([1, 5]);
const ONNX_LEN = new Set([2, 3, 4, 6, 7, 8, 14, 20, 25]);

/** True when `head` starts like an ONNX ModelProto (ir_version first, then ModelProto fields). */
export function isOnnxHead(head: Uint8Array, size: number): boolean {
  if (isSavedModelHead(head, size)) return false;
  const { fields, clean } = topFields(head, 16);
  if (!clean) return false;
  const first = fields[0];
  // IR versions run from 1 (2017) to about 11 today; leave headroom but refuse arbitrary varints.
  if (first?.field !== 1 || first.wire !== 0 || first.value < 1 || first.value > 32) return false;
  let sawGraph = false;
  for (const f of fields.slice(1)) {
    const ok = f.wire === 0 ? ONNX_VARINT.has(f.field) : f.wire === 2 && ONNX_LEN.has(f.field);
    if (!ok) return false;
    if (f.wire === 2 && f.value + f.length > size) return false;
    if (f.field === 7 || f.field === 8) sawGraph = true;
  }
  // A long doc_string can push the graph past the head; then two consistent fields suffice.
  return sawGraph || fields.length >= 3;
}
