import { readAll, SliceSource } from '../../core/byte-source.js';
import { FormatError, limitError } from '../../core/errors.js';
import type { PickleScanInput } from '../../formats/pickle/scan-input.js';
import {
  decodeTorchTar,
  isTorchTar,
  TORCH_TAR_MEMBERS,
  torchTarMember,
  readTarArchive,
} from '../../formats/tar/index.js';
import type { ArchiveAnomaly, ArchiveModel } from '../../formats/zip/index.js';
import type { TorchTarDecode } from '../decoded-units.js';
import type { Handler } from '../unit.js';
import { scanPickleMember } from './member-context.js';
import { classifyMember, nativeCodeAnomaly } from './member-sniff.js';
import { isRepositoryMember, scanRepositoryMember } from './repository-member.js';

/**
 * Handler for tar archives. A legacy torch tar checkpoint (torch < 0.4; `sys_info`, `pickle`,
 * `storages`, `tensors`, bypass C10) has every pickle torch unpickles judged: the side members'
 * pickles in place, the `pickle` member as a torch-tar pickle with the storages map. Every other
 * regular member whose content is a known format is scanned, whatever its name. Members are
 * windows of the file (no copy); a header error after the first member is reported after the
 * members before it are scanned.
 */
export const tarHandler: Handler = async (ctx, source) => {
  const limits = ctx.options.limits;
  let tar;
  try {
    tar = await readTarArchive(source, limits);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('archive', error);
    return;
  }
  const legacy = isTorchTar(tar.members);
  ctx.setFormat(legacy ? 'torch-tar' : 'tar');
  const handled = new Set<string>();
  const anomalies: ArchiveAnomaly[] = [...tar.anomalies];
  if (legacy) {
    for (const name of TORCH_TAR_MEMBERS) handled.add(name);
    const side = await decodeTorchTar(source, tar.members, {
      limits,
      deadline: ctx.budget.deadline,
      maxEntries: limits.maxEntries,
    });
    const input: PickleScanInput = {
      decoded: side.decoded,
      flavour: 'torch-tar',
      storages: side.storages,
      allowGlobals: ctx.options.allowGlobals,
    };
    await ctx.check('pickle', input);
    if (side.decoded.error !== undefined) ctx.malformed('pickle', side.decoded.error);
    // The caller reads this file next (convert, inspect): the listing and pickles are kept, the
    // side members decoded as the loader decodes them (never capped), the main pickle whole.
    const keep = ctx.depth === 0 ? ctx.options.keepDecoded : undefined;
    const kept: TorchTarDecode | undefined =
      keep === undefined ? undefined : { archive: tar, side };
    if (keep !== undefined && kept !== undefined) keep.tar = kept;
    const main = torchTarMember(tar.members, 'pickle');
    if (main !== undefined) {
      const tooLarge = limitError(
        main.size,
        limits.maxInputBytes,
        'maxInputBytes',
        main.headerOffset,
        'pickle member exceeds maxInputBytes',
      );
      if (tooLarge !== undefined) {
        ctx.malformed('archive', tooLarge);
      } else {
        const bytes = await readAll(new SliceSource(source, main.dataOffset, main.size));
        await scanPickleMember(ctx, 'pickle', bytes, {
          flavour: 'torch-tar',
          storages: side.storages,
          ...(kept === undefined ? {} : { keep: (decoded) => (kept.pickle = decoded) }),
        });
      }
    }
  }
  for (const member of tar.members) {
    if (handled.has(member.name) || (member.type !== '0' && member.type !== '7')) continue;
    const data = new SliceSource(source, member.dataOffset, member.size);
    const { format, native } = await classifyMember(data);
    if (format === 'unknown') {
      if (native !== undefined)
        anomalies.push(nativeCodeAnomaly(member.name, member.headerOffset, native));
      // A NeMo checkpoint's model_config.yaml (Hydra `_target_`), a packed repository's configs.
      if (isRepositoryMember(member.name)) {
        await scanRepositoryMember(
          ctx,
          member.name,
          data,
          tar.members.map((m) => m.name),
        );
      }
      continue;
    }
    await ctx.scanMember(member.name, data);
  }
  const model: ArchiveModel = {
    container: 'tar',
    members: tar.members.map((m) => m.name),
    anomalies,
  };
  await ctx.check('archive', model);
  if (tar.error !== undefined) ctx.malformed('archive', tar.error);
};
