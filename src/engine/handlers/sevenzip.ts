import { MemorySource, readAll, type ByteSource } from '../../core/byte-source.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import { readSevenZip } from '../../formats/sevenzip/index.js';
import { makeFinding } from '../../rules/define-rule.js';
import encrypted from '../../rules/sevenzip/encrypted.js';
import type { UnitContext } from '../unit.js';

/**
 * Scans a 7z archive (the "nullifAI" wrapper, C8): lists and extracts it in 7-Zip's in-memory
 * file system, within `maxInflatedBytes` and what is left of the file's `maxTotalInflatedBytes`,
 * and scans every extracted file as a member, like zip members. Encrypted headers or members are
 * reported as `sevenzip/encrypted` (suspicious), never skipped.
 */
export async function scanSevenZip(ctx: UnitContext, source: ByteSource): Promise<void> {
  const limits = ctx.options.limits;
  try {
    checkLimit(source.size, limits.maxInputBytes, '7z archive bytes (maxInputBytes)', 0);
    const left = Math.max(0, limits.maxTotalInflatedBytes - ctx.budget.inflatedBytes);
    // 7-Zip runs in a worker that is stopped when this file's time budget runs out.
    const result = await readSevenZip(
      await readAll(source),
      limits,
      Math.min(limits.maxInflatedBytes, left),
      Math.max(1, ctx.budget.deadline - Date.now()),
    );
    const report = (messageId: 'headers' | 'entry', member?: string): void => {
      ctx.add(
        makeFinding(
          encrypted,
          { uri: ctx.uri, unit: 'byte' },
          {
            messageId,
            ...(member === undefined ? {} : { data: { member } }),
            at: { span: { start: 0, end: 0 }, ...(member === undefined ? {} : { path: [member] }) },
          },
        ),
      );
    };
    if (result.kind === 'encrypted-headers') {
      report('headers');
      return;
    }
    ctx.budget.inflatedBytes += result.extractedBytes;
    for (const entry of result.entries) {
      if (entry.encrypted) report('entry', entry.path);
      else if (!entry.isDir && !result.files.has(entry.path)) {
        ctx.malformed(
          'sevenzip',
          new FormatError('BAD_STRUCTURE', `member ${entry.path} could not be extracted`, 0),
        );
      }
    }
    for (const [path, data] of result.files) {
      await ctx.scanMember(path, new MemorySource(data));
    }
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    ctx.malformed('sevenzip', error);
  }
}
