import { FormatError } from '../../core/errors.js';
import { readSafetensorsHeader } from '../../formats/safetensors/index.js';
import type { Handler } from '../unit.js';

/**
 * Handler for safetensors: validates the header as the safetensors crate does, plus duplicate
 * keys, reading only the 8-byte prefix and the header, so the scan time does not depend on the
 * tensor bytes. The file is safe or invalid (safetensors/malformed-input, with the exact reason).
 */
export const safetensorsHandler: Handler = async (ctx, source) => {
  ctx.setFormat('safetensors');
  try {
    const header = await readSafetensorsHeader(source, ctx.options.limits);
    await ctx.check('safetensors', header);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('safetensors', error);
  }
};
