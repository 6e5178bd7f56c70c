import type { ByteSource } from '../../core/byte-source.js';
import { FormatError } from '../../core/errors.js';
import type { PickleDecodeResult } from '../../formats/pickle/records.js';
import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { decodeTorchLegacy, hasLegacyMagic } from '../../formats/pickle/torch-legacy.js';
import { decodePickle } from '../../formats/pickle/vm.js';
import type { Handler, UnitContext } from '../unit.js';
import type { PickleScanContext } from './pickle-contract.js';

// Enough of the head to hold the legacy magic pickle (16 bytes) with room to spare.
const HEAD_BYTES = 64;

/** Runs the pickle rules over a decoded stream and reports its decoding error, if any. */
function judge(ctx: UnitContext, decoded: PickleDecodeResult, pctx: PickleScanContext): void {
  const input: PickleScanInput = {
    decoded,
    flavour: pctx.flavour,
    ...(pctx.storages === undefined ? {} : { storages: pctx.storages }),
    allowGlobals: ctx.options.allowGlobals,
  };
  ctx.check('pickle', input);
  if (decoded.error !== undefined) ctx.malformed('pickle', decoded.error);
}

/** True when the stream is a joblib pickle (array wrappers or skipped array data). */
function isJoblib(decoded: PickleDecodeResult): boolean {
  return (
    decoded.skipped.length > 0 ||
    decoded.globals.some(
      (g) =>
        g.module === 'joblib.numpy_pickle' ||
        g.module === 'joblib.numpy_pickle_compat' ||
        g.module.endsWith('.joblib.numpy_pickle'),
    )
  );
}

/**
 * Scans a pickle held in memory (a zip member, an npy object payload, a decompressed stream):
 * runs the symbolic VM over every pickle in `bytes`, then the pickle rules with the container's
 * context, and reports a decoding failure as pickle/malformed-input (the findings about what was
 * decoded before the failure stand). Offsets in findings are relative to `bytes`.
 */
export function scanPickleBytes(
  ctx: UnitContext,
  bytes: Uint8Array,
  pctx: PickleScanContext,
): void {
  const decoded = decodePickle(bytes, {
    limits: ctx.options.limits,
    deadline: ctx.budget.deadline,
  });
  judge(ctx, decoded, pctx);
}

/**
 * Handler for a unit sniffed as a pickle: a torch legacy stream (read by ranges, storages
 * skipped unread), a joblib pickle, or raw pickles. A raw pickle larger than maxInputBytes is
 * reported as over the limit after its first maxInputBytes are scanned.
 */
export const pickleHandler: Handler = async (ctx, source: ByteSource) => {
  const limits = ctx.options.limits;
  const head = await source.read(0, Math.min(source.size, HEAD_BYTES));
  if (hasLegacyMagic(head)) {
    ctx.setFormat('torch-legacy');
    const { decoded, storages } = await decodeTorchLegacy(source, {
      limits,
      deadline: ctx.budget.deadline,
      maxEntries: limits.maxEntries,
    });
    judge(ctx, decoded, { flavour: 'torch-legacy', storages });
    return;
  }
  const bytes = await source.read(0, Math.min(source.size, limits.maxInputBytes));
  const decoded = decodePickle(bytes, { limits, deadline: ctx.budget.deadline });
  if (source.size > limits.maxInputBytes) {
    decoded.error ??= new FormatError(
      'LIMIT_EXCEEDED',
      `pickle of ${source.size} bytes exceeds maxInputBytes ${limits.maxInputBytes}; only its head was scanned`,
      limits.maxInputBytes,
    );
  }
  ctx.setFormat(isJoblib(decoded) ? 'joblib' : 'pickle');
  judge(ctx, decoded, { flavour: 'raw' });
};
