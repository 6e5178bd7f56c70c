import { readAll, type ByteSource } from '../../core/byte-source.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import { parseTensorflowGraph } from '../../formats/tensorflow/index.js';
import { parseKerasSavedMetadata } from '../../formats/tensorflow/keras-metadata.js';
import { isKerasMetadataHead } from '../../formats/tensorflow/sniff.js';
import type { UnitContext } from '../unit.js';

/**
 * Scans a TensorFlow SavedModel (`saved_model.pb`) or frozen GraphDef: decodes every graph and
 * function library and runs the `tensorflow` rules over their ops. A tf.keras `keras_metadata.pb`
 * (also a protobuf without magic) has its layer configs checked by the `keras` rules instead.
 */
export async function scanTensorflow(ctx: UnitContext, source: ByteSource): Promise<void> {
  const limits = ctx.options.limits;
  try {
    checkLimit(source.size, limits.maxInputBytes, 'TensorFlow graph bytes (maxInputBytes)', 0);
    const bytes = await readAll(source);
    // keras_metadata.pb of a tf.keras SavedModel holds layer configs, Lambda bytecode included.
    if (isKerasMetadataHead(bytes.subarray(0, 4096), bytes.byteLength)) {
      ctx.setFormat('keras-metadata');
      const objects = parseKerasSavedMetadata(bytes, limits);
      const root = objects.map((o) => ({
        node_path: o.nodePath,
        identifier: o.identifier,
        metadata: o.metadata,
      }));
      await ctx.check('keras', { container: 'keras-metadata', root, kerasVersion: undefined });
      return;
    }
    const graph = parseTensorflowGraph(bytes, limits);
    ctx.setFormat(graph.kind === 'saved-model' ? 'tf-savedmodel' : 'tf-graphdef');
    await ctx.check('tensorflow', graph);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('tensorflow', error);
  }
}
