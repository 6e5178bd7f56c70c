import { readAll, type ByteSource } from '../../core/byte-source.js';
import { FormatError } from '../../core/errors.js';
import { parseTensorflowGraph } from '../../formats/tensorflow/index.js';
import type { UnitContext } from '../unit.js';

/**
 * Scans a TensorFlow SavedModel (`saved_model.pb`) or frozen GraphDef: decodes every graph and
 * function library and runs the `tensorflow` rules over their ops.
 */
export async function scanTensorflow(ctx: UnitContext, source: ByteSource): Promise<void> {
  const limits = ctx.options.limits;
  try {
    if (source.size > limits.maxInputBytes) {
      throw new FormatError(
        'LIMIT_EXCEEDED',
        `TensorFlow graph of ${source.size} bytes exceeds maxInputBytes`,
        0,
      );
    }
    const graph = parseTensorflowGraph(await readAll(source), limits);
    ctx.setFormat(graph.kind === 'saved-model' ? 'tf-savedmodel' : 'tf-graphdef');
    ctx.check('tensorflow', graph);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('tensorflow', error);
  }
}
