import { FormatError, limitError } from '../../core/errors.js';
import { readNpyHeader, type NpyHeader, type NpyModel } from '../../formats/npy/index.js';
import type { Handler } from '../unit.js';
import { scanPickleMember } from './member-context.js';

/** Name of an object array's pickled payload as a member of its .npy (`a.npy!/<object-pickle>`). */
export const OBJECT_PICKLE_MEMBER = '<object-pickle>';

/**
 * Handler for .npy files: parses the header by its literal grammar (never evaluated) and runs
 * the numpy rules; an object dtype's payload is a pickle (np.load(allow_pickle=True), C17),
 * scanned with the npy-object flavour. Raw array bytes are never read.
 */
export const npyHandler: Handler = async (ctx, source) => {
  const limits = ctx.options.limits;
  ctx.setFormat('npy');
  let header: NpyHeader;
  try {
    header = await readNpyHeader(source);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('numpy', error);
    return;
  }
  // The caller reads this file next (convert, inspect): the header of a top-level .npy, or of a
  // member of the top-level zip (an .npz), is kept for the loader.
  const keep = ctx.options.keepDecoded;
  if (keep !== undefined && ctx.depth === 0) keep.npy = header;
  const member = ctx.memberPath[0];
  if (keep?.zip !== undefined && ctx.depth === 1 && member !== undefined)
    keep.npyMembers?.set(member, header);
  const model: NpyModel = { header, fileSize: source.size };
  await ctx.check('npy', model);
  if (!header.hasObject) return;
  const length = source.size - header.dataOffset;
  const tooLarge = limitError(
    length,
    limits.maxInputBytes,
    'maxInputBytes',
    header.dataOffset,
    'object array pickle exceeds maxInputBytes',
  );
  if (tooLarge !== undefined) {
    ctx.malformed('numpy', tooLarge);
    return;
  }
  const bytes = await source.read(header.dataOffset, length);
  await scanPickleMember(ctx, OBJECT_PICKLE_MEMBER, bytes, { flavour: 'npy-object' });
};
