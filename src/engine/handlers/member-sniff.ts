import type { ByteSource } from '../../core/byte-source.js';
import { NATIVE_CODE_SNIFF_BYTES, nativeCodeFormat } from '../../formats/native-code.js';
import { looksLikePickle } from '../../formats/pickle/sniff.js';
import { SNIFF_BYTES, sniffFormat, type FormatId } from '../../formats/sniff.js';

/**
 * The format of a container member by content, never by name (a proto-0 pickle hides in
 * `archive/data.txt`, bypass C2). Containers scan every member that is not 'unknown'.
 */
export async function sniffMember(source: ByteSource): Promise<FormatId> {
  const head = await source.read(0, Math.min(source.size, SNIFF_BYTES));
  return sniffFormat(head, source.size, looksLikePickle);
}

/** The kind of native code (`ELF`, `Mach-O`, `PE` …) a member holds, or undefined. */
export async function nativeCodeOf(source: ByteSource): Promise<string | undefined> {
  const head = await source.read(0, Math.min(source.size, NATIVE_CODE_SNIFF_BYTES));
  return nativeCodeFormat(head);
}
