// Protobuf helpers shared by the ONNX and TensorFlow decoders.

/**
 * Reading fields of a message decoded by protobufjs (`toObject` output) without trusting its shape:
 * a hostile file can leave any field absent or of another type.
 */

/** A decoded message: field name → value. */
export type Msg = Readonly<Record<string, unknown>>;

export function isMsg(v: unknown): v is Msg {
  return typeof v === 'object' && v !== null;
}

/** The messages of a repeated field ([] when absent or not a list). */
export function list(v: unknown): readonly Msg[] {
  return Array.isArray(v) ? (v as unknown[]).filter(isMsg) : [];
}

/** A string field ('' when absent or not a string). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
