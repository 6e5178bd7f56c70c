import type { ByteSource } from '../../core/byte-source.js';
import type { PickleDecodeResult } from '../../formats/pickle/records.js';
import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import { decodeTorchLegacy, hasLegacyMagic } from '../../formats/pickle/torch-legacy.js';
import { decodePickle, decodePickleSource } from '../../formats/pickle/vm.js';
import type { Handler, UnitContext } from '../unit.js';
import type { PickleScanContext } from './pickle-contract.js';

// Enough of the head to hold the legacy magic pickle (16 bytes) with room to spare.
const HEAD_BYTES = 64;
// Raw pickles up to this size are read whole; larger ones are decoded window by window.
const IN_MEMORY_BYTES = 16 * 1024 * 1024;
// The rules judge structure, not data: containers keep at most this many items while scanning,
// so a huge benign dict pickle costs flat memory (the loader decodes with no cap).
const SCAN_RETAIN_ITEMS = 4096;

/** Runs the pickle rules over a decoded stream and reports its decoding error, if any. */
async function judge(
  ctx: UnitContext,
  decoded: PickleDecodeResult,
  pctx: PickleScanContext,
): Promise<void> {
  const input: PickleScanInput = {
    decoded,
    flavour: pctx.flavour,
    ...(pctx.storages === undefined ? {} : { storages: pctx.storages }),
    allowGlobals: ctx.options.allowGlobals,
  };
  await ctx.check('pickle', input);
  if (decoded.error !== undefined) ctx.malformed('pickle', decoded.error);
}

/** True when the stream is a joblib pickle (array wrappers or skipped array data). */
function isJoblib(decoded: PickleDecodeResult): boolean {
  return (
    decoded.skipped.some((s) => s.what === 'joblib array data') ||
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
export async function scanPickleBytes(
  ctx: UnitContext,
  bytes: Uint8Array,
  pctx: PickleScanContext,
): Promise<void> {
  const decoded = decodePickle(bytes, {
    limits: ctx.options.limits,
    deadline: ctx.budget.deadline,
    // Kept for the loader: decoded whole, as the loader would decode it (tuples, globals, calls
    // and persistent ids, all the rules read, are the same; only list/dict items are more).
    ...(pctx.keep === undefined ? { retainItems: SCAN_RETAIN_ITEMS } : {}),
  });
  await judge(ctx, decoded, pctx);
  pctx.keep?.(decoded);
}

/**
 * Handler for a unit sniffed as a pickle: a torch legacy stream (read by ranges, storages
 * skipped unread), a joblib pickle, or raw pickles (read by ranges above 16 MiB, large payloads
 * skipped unread; one opcode needing more than maxInputBytes is LIMIT_EXCEEDED).
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
    await judge(ctx, decoded, { flavour: 'torch-legacy', storages });
    // Decoded exactly as the loader decodes it (legacy pickles are never capped): kept for it.
    const keep = ctx.depth === 0 ? ctx.options.keepDecoded : undefined;
    if (keep !== undefined) keep.legacy = { decoded, storages };
    return;
  }
  // Small pickles are decoded in memory; larger ones through positioned reads, skipping large
  // payloads unread (a multi-gigabyte raw pickle costs what its opcodes cost).
  // A top-level pickle the caller keeps for the loader is decoded whole, as the loader would.
  const keep =
    ctx.depth === 0 && source.size <= IN_MEMORY_BYTES ? ctx.options.keepDecoded : undefined;
  const options = {
    limits,
    deadline: ctx.budget.deadline,
    ...(keep === undefined ? { retainItems: SCAN_RETAIN_ITEMS } : {}),
  };
  const decoded =
    source.size <= IN_MEMORY_BYTES
      ? decodePickle(await source.read(0, source.size), options)
      : await decodePickleSource(source, options);
  ctx.setFormat(isJoblib(decoded) ? 'joblib' : 'pickle');
  await judge(ctx, decoded, { flavour: 'raw' });
  if (keep !== undefined) keep.pickle = decoded;
};
