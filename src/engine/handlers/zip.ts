import { MemorySource, readAll, type ByteSource } from '../../core/byte-source.js';
import { FormatError, limitError } from '../../core/errors.js';
import {
  archiveDir,
  checkCrcOfSource,
  classifyZip,
  isStorageRecord,
  locateZipMember,
  openZipMember,
  openZipMemberPrefix,
  parseZipDirectory,
  type ArchiveAnomaly,
  type ArchiveModel,
  type ZipEntry,
} from '../../formats/zip/index.js';
import type { Handler, UnitContext } from '../unit.js';
import { isKerasArchive, scanKerasConfig } from './keras.js';
import { scanPickleMember } from './member-context.js';
import { classifyMember, nativeCodeAnomaly, sniffMember } from './member-sniff.js';
import { isRepositoryMember, scanRepositoryMember } from './repository-member.js';
import { isTorchScriptCodeName, scanTorchScriptCode } from './torchscript-code.js';

// Stored members up to this size have their CRC verified (bypass C5) by a windowed read (flat
// memory); larger ones are passed on unread, so big tensor blobs cost no time. Storage records of
// torch archives are never read here at all.
const CRC_CHECK_MAX = 256 * 1024 * 1024;

/**
 * Handler for zip archives, read through the central directory as torch's PyTorchStreamReader
 * reads them. Classifies the archive (TorchScript, torch checkpoint, npz, plain zip), scans each
 * `<dir>/data.pkl` as a torch-zip pickle with the storages of `<dir>/data/`, skips those storage
 * blobs (raw tensor bytes: their existence and size go to the pickle rules), and scans every
 * other member whose content is a known format, whatever its name. Container anomalies go to the
 * `archive/*` rules, the layout to the `torch/*` rules.
 */
export const zipHandler: Handler = async (ctx, source) => {
  const limits = ctx.options.limits;
  let zip;
  try {
    zip = await parseZipDirectory(source, limits);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('archive', error);
    return;
  }
  const torch = classifyZip(zip.entries);
  ctx.setFormat(torch.layout);
  // The caller reads this file next (convert, inspect): the directory and data pickles are kept.
  const keep = ctx.depth === 0 ? ctx.options.keepDecoded : undefined;
  if (keep !== undefined) keep.zip = zip;
  const anomalies: ArchiveAnomaly[] = [...zip.anomalies];
  const dirs = new Set(torch.dataPickles.map((e) => archiveDir(e.name)));
  const kerasArchive = isKerasArchive(zip.entries.map((e) => e.name));
  for (const entry of zip.entries) {
    if (entry.isDirectory && entry.uncompressedSize === 0) continue;
    if (isStorageRecord(entry.name, dirs)) {
      // Stored tensor bytes are never read here. A compressed one (torch never writes those) is
      // inflated as a stream and checked (size, CRC, a clean end): the loader inflates it, and a
      // record it cannot inflate must not leave the file safe.
      if (entry.method !== 0) await openMember(ctx, source, entry, anomalies);
      continue;
    }
    const isDataPickle = torch.dataPickles.includes(entry);
    const pctx = {
      flavour: 'torch-zip' as const,
      storages: torch.storages.get(archiveDir(entry.name)) ?? new Map<string, number>(),
    };
    const opened = await openMember(ctx, source, entry, anomalies);
    if (opened === undefined) {
      // A limit stopped the member from opening: what lies before the limit is still scanned,
      // so padding behind a payload cannot hide it (the limit finding keeps the file unsafe).
      const prefix = await limitedPrefix(ctx, source, entry);
      if (prefix === undefined) continue;
      if (isDataPickle) await scanPickleMember(ctx, entry.name, prefix, pctx);
      else {
        const partial = new MemorySource(prefix);
        if ((await sniffMember(partial)) !== 'unknown') await ctx.scanMember(entry.name, partial);
      }
      continue;
    }
    if (isDataPickle) {
      const tooLarge = limitError(
        opened.size,
        limits.maxInputBytes,
        'maxInputBytes',
        entry.centralOffset,
        () =>
          `${entry.name} exceeds maxInputBytes; its first ${limits.maxInputBytes} bytes were scanned`,
      );
      if (tooLarge !== undefined) {
        ctx.malformed('archive', tooLarge);
        const prefix = await limitedPrefix(ctx, source, entry, true);
        if (prefix !== undefined) await scanPickleMember(ctx, entry.name, prefix, pctx);
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = await readAll(opened);
      } catch (error) {
        // A large deflated member is inflated whole only now; its limits apply here.
        if (!(error instanceof FormatError)) throw error;
        ctx.malformed('archive', error);
        if (error.code !== 'LIMIT_EXCEEDED') continue;
        const prefix = await limitedPrefix(ctx, source, entry, true);
        if (prefix !== undefined) await scanPickleMember(ctx, entry.name, prefix, pctx);
        continue;
      }
      await scanPickleMember(
        ctx,
        entry.name,
        bytes,
        // Only bytes exactly as long as the directory says are kept; the loader refuses others.
        keep === undefined || bytes.byteLength !== entry.uncompressedSize
          ? pctx
          : { ...pctx, keep: (decoded) => keep.pickles.set(entry.name, decoded) },
      );
      continue;
    }
    // Keras 3 archive (issue 4): its config.json goes to the keras rules.
    if (entry.name === 'config.json' && kerasArchive) await scanKerasConfig(ctx, opened);
    const { format, native } = await classifyMember(opened);
    if (format === 'unknown') {
      if (native !== undefined)
        anomalies.push(nativeCodeAnomaly(entry.name, entry.centralOffset, native));
      // A zipped model repository's configs and chat templates, as the folder audit reads them.
      if (!kerasArchive && torch.layout === 'zip' && isRepositoryMember(entry.name)) {
        await scanRepositoryMember(
          ctx,
          entry.name,
          opened,
          zip.entries.map((e) => e.name),
        );
      }
      // TorchScript's code records are Python source: parsed and judged (issue 12 item 9).
      if (torch.codeRecords.includes(entry) && isTorchScriptCodeName(entry.name)) {
        await scanTorchScriptCode(ctx, entry.name, opened);
      }
      continue;
    }
    await ctx.scanMember(entry.name, opened);
  }
  const model: ArchiveModel = {
    container: 'zip',
    members: zip.entries.map((e) => e.name),
    anomalies: sortAnomalies(anomalies),
  };
  await ctx.check('archive', model);
  if (torch.layout === 'torch-zip' || torch.layout === 'torchscript')
    await ctx.check('torch', torch);
};

/**
 * Locates and opens one member, recording its anomalies; a member that cannot be opened is
 * reported as malformed (naming it) and skipped, so the other members are still scanned.
 */
/** Members whose opening hit a limit (LIMIT_EXCEEDED), to be scanned up to it. */
const LIMITED = new WeakSet<ZipEntry>();

/**
 * The bytes of a member up to the limit that stopped it (see openZipMemberPrefix), for a member
 * that `openMember` refused with LIMIT_EXCEEDED (or any member when `always`); undefined
 * otherwise or when nothing can be decoded.
 */
async function limitedPrefix(
  ctx: UnitContext,
  source: ByteSource,
  entry: ZipEntry,
  always = false,
): Promise<Uint8Array | undefined> {
  if (!always && !LIMITED.has(entry)) return undefined;
  try {
    const located = await locateZipMember(source, entry);
    return await openZipMemberPrefix(source, located, ctx.options.limits, ctx.budget);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    return undefined;
  }
}

async function openMember(
  ctx: UnitContext,
  source: ByteSource,
  entry: ZipEntry,
  anomalies: ArchiveAnomaly[],
): Promise<ByteSource | undefined> {
  const limits = ctx.options.limits;
  try {
    const located = await locateZipMember(source, entry);
    anomalies.push(...located.anomalies);
    const opened = await openZipMember(source, located, limits, ctx.budget);
    anomalies.push(...opened.anomalies);
    if (entry.method !== 0 || entry.compressedSize > CRC_CHECK_MAX) return opened.source;
    const crc = await checkCrcOfSource(entry, opened.source);
    if (crc !== undefined) anomalies.push(crc);
    return opened.source;
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    if (error.code === 'LIMIT_EXCEEDED') LIMITED.add(entry);
    ctx.malformed(
      'archive',
      new FormatError(error.code, `member ${entry.name}: ${error.message}`, error.offset, {
        cause: error,
      }),
    );
    return undefined;
  }
}

function sortAnomalies(list: readonly ArchiveAnomaly[]): ArchiveAnomaly[] {
  return [...list].sort(
    (a, b) => a.offset - b.offset || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0),
  );
}
