import type { ByteSource } from '../../core/byte-source.js';
import { FormatError } from '../../core/errors.js';
import { readGgufHeader } from '../../formats/gguf/index.js';
import type { UnitContext } from '../unit.js';

/**
 * Scans a GGUF file: reads only its header (metadata and tensor infos, never the weights), runs
 * the `gguf` rules (chat templates), and reports a malformed header as `gguf/malformed-input`.
 */
export async function scanGguf(ctx: UnitContext, source: ByteSource): Promise<void> {
  try {
    const header = await readGgufHeader(source, ctx.options.limits);
    await ctx.check('gguf', header);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('gguf', error);
  }
}
