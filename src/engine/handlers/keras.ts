import { readAll, type ByteSource } from '../../core/byte-source.js';
import { decodeUtf8 } from '../../core/byte-reader.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import { parseKerasConfig } from '../../formats/keras/index.js';
import type { UnitContext } from '../unit.js';

/**
 * True when a zip's member names make it a Keras 3 `.keras` archive: `config.json` and
 * `metadata.json` at the root (keras `saving_lib`).
 */
export function isKerasArchive(memberNames: readonly string[]): boolean {
  return memberNames.includes('config.json') && memberNames.includes('metadata.json');
}

/**
 * Checks the `config.json` member of a `.keras` archive with the `keras` rules and names the
 * archive's format `keras`. Called by the zip handler, which still scans every other member
 * (model.weights.h5 …) as usual. A config that cannot be decoded is `keras/malformed-input`.
 * Never throws for bad input.
 */
export async function scanKerasConfig(ctx: UnitContext, config: ByteSource): Promise<void> {
  const limits = ctx.options.limits;
  ctx.setFormat('keras');
  try {
    checkLimit(config.size, limits.maxTextBytes, 'config.json bytes (maxTextBytes)', 0);
    const text = decodeUtf8(await readAll(config), 0);
    await ctx.check('keras', parseKerasConfig(text, 'keras-zip', undefined, limits));
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('keras', error);
  }
}
