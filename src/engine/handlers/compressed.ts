import { MemorySource, readAll } from '../../core/byte-source.js';
import { checkLimit, FormatError } from '../../core/errors.js';
import { decompress, decompressPrefix, type Compression } from '../../formats/compress/index.js';
import { looksLikePickle } from '../../formats/pickle/sniff.js';
import type { Handler } from '../unit.js';
import { pickleHandler } from './pickle.js';
import { sniffMember } from './member-sniff.js';

// A zlib header is two bytes with (CMF·256 + FLG) % 31 == 0, and `(S` (MARK, STRING: how a
// protocol-0 pickle of a tuple of py2 strs starts) is one. Such a unit that does not inflate but
// reads as a pickle is scanned as the pickle it is, so the sniff order cannot hide a payload.
const PICKLE_FALLBACK: ReadonlySet<Compression> = new Set(['zlib']);
const FALLBACK_HEAD = 4096;

/** Name of the decompressed payload as a member of its wrapper (`model.pkl.gz!/<decompressed>`). */
export const DECOMPRESSED_MEMBER = '<decompressed>';

/**
 * A handler for one compression wrapper (joblib `compress=`, `.pkl.gz`, `.pt.xz`; bypass C12):
 * decompresses within the file's inflate budget and scans the payload as a member, so whatever it
 * is (a pickle, a tar, another wrapper) is dispatched by content.
 */
export function compressedHandler(kind: Compression): Handler {
  return async (ctx, source) => {
    const limits = ctx.options.limits;
    ctx.setFormat(kind);
    let out: Uint8Array;
    // Over maxInputBytes, only the first maxInputBytes of the stream are decompressed.
    const input =
      source.size > limits.maxInputBytes
        ? await source.read(0, limits.maxInputBytes)
        : await readAll(source);
    try {
      checkLimit(
        source.size,
        limits.maxInputBytes,
        'maxInputBytes',
        0,
        () => `${kind} stream exceeds maxInputBytes`,
      );
      out = await decompress(kind, input, limits, ctx.budget);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      if (PICKLE_FALLBACK.has(kind) && looksLikePickle(await source.read(0, FALLBACK_HEAD))) {
        await pickleHandler(ctx, source);
        return;
      }
      ctx.malformed('archive', error);
      // A limit or a cut-off end does not hide what came before it: a pickle loaded from this
      // stream runs as it is read, before the loader meets the limit or the end.
      const prefix = await decompressPrefix(kind, input, error, limits, ctx.budget);
      // A part that is no known format (a bomb's zeros) adds nothing to the limit finding.
      const partial = new MemorySource(prefix);
      if (prefix.byteLength > 0 && (await sniffMember(partial)) !== 'unknown')
        await ctx.scanMember(DECOMPRESSED_MEMBER, partial);
      return;
    }
    await ctx.scanMember(DECOMPRESSED_MEMBER, new MemorySource(out));
  };
}
