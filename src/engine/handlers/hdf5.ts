import { readAll, type ByteSource } from '../../core/byte-source.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import { readHdf5RootAttributes } from '../../formats/hdf5/index.js';
import { parseKerasConfig } from '../../formats/keras/index.js';
import type { UnitContext } from '../unit.js';

/**
 * Scans an HDF5 file. A legacy Keras model (.h5 with a root `model_config` attribute) has its
 * config checked by the `keras` rules; any other HDF5 file (weights only, Keras 3
 * `model.weights.h5`) holds only data, which no loader executes, and is safe once it opens.
 */
export async function scanHdf5(ctx: UnitContext, source: ByteSource): Promise<void> {
  const limits = ctx.options.limits;
  try {
    checkLimit(source.size, limits.maxInputBytes, 'HDF5 file bytes (maxInputBytes)', 0);
    // The HDF5 library runs in a worker that is stopped when this file's time budget runs out.
    const attrs = await readHdf5RootAttributes(
      await readAll(source),
      ['model_config', 'keras_version'],
      limits,
      Math.max(1, ctx.budget.deadline - Date.now()),
    );
    const modelConfig = attrs.text.get('model_config');
    if (modelConfig === undefined) {
      if (attrs.names.includes('model_config')) {
        throw new FormatError('BAD_VALUE', 'model_config is not a UTF-8 string', 0);
      }
      return;
    }
    ctx.setFormat('keras-h5');
    await ctx.check(
      'keras',
      parseKerasConfig(modelConfig, 'h5', attrs.text.get('keras_version'), limits),
    );
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('keras', error);
  }
}
