import type { ByteSource } from '../../core/byte-source.js';
import { NATIVE_CODE_SNIFF_BYTES, nativeCodeFormat } from '../../formats/native-code.js';
import { looksLikePickle } from '../../formats/pickle/sniff.js';
import { SNIFF_BYTES, sniffFormat, type FormatId } from '../../formats/sniff.js';
import type { ArchiveAnomaly } from '../../formats/zip/anomaly.js';

/**
 * The format of a container member by content, never by name (a proto-0 pickle hides in
 * `archive/data.txt`, bypass C2). Containers scan every member that is not 'unknown'.
 */
export async function sniffMember(source: ByteSource): Promise<FormatId> {
  const head = await source.read(0, Math.min(source.size, SNIFF_BYTES));
  return sniffFormat(head, source.size, looksLikePickle);
}

/**
 * A member's format by content and, when that is 'unknown', the kind of native code (`ELF`,
 * `Mach-O`, `PE` …) it holds, if any. One read of the member's first bytes serves both (a zip
 * member may be inflated from its start for every read).
 */
export async function classifyMember(
  source: ByteSource,
): Promise<{ readonly format: FormatId; readonly native?: string }> {
  const headBytes = Math.max(SNIFF_BYTES, NATIVE_CODE_SNIFF_BYTES);
  const head = await source.read(0, Math.min(source.size, headBytes));
  const format = sniffFormat(head.subarray(0, SNIFF_BYTES), source.size, looksLikePickle);
  if (format !== 'unknown') return { format };
  const native = nativeCodeFormat(head.subarray(0, NATIVE_CODE_SNIFF_BYTES));
  return native === undefined ? { format } : { format, native };
}

/** The `native-code` anomaly of a member that classifyMember found to hold `native` code. */
export function nativeCodeAnomaly(member: string, offset: number, native: string): ArchiveAnomaly {
  return { kind: 'native-code', member, offset, detail: `${native} native code` };
}
