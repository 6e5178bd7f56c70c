// Protobuf helpers shared by the ONNX and TensorFlow decoders.
import { FormatError } from '../../core/errors.js';

/**
 * Maps a protobufjs decoding failure to a FormatError: its nesting guard (100 message levels, as
 * protoc's default recursion limit) to LIMIT_EXCEEDED; RangeError past the end and Error on bad
 * wire types to BAD_STRUCTURE.
 */
export function protobufError(error: unknown): FormatError {
  const message = error instanceof Error ? error.message : 'bad protobuf';
  const code = message === 'max depth exceeded' ? 'LIMIT_EXCEEDED' : 'BAD_STRUCTURE';
  return new FormatError(code, message, 0, { cause: error });
}
