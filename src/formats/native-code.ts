// Native code by its magic number: a model archive has no reason to hold a shared library or an
// executable, but a torch AOTInductor package (`.pt2`, loaded by torch._inductor.aoti_load_package)
// and other "compiled model" bundles dlopen the ones they carry.

/** Bytes of a member's start that {@link nativeCodeFormat} looks at. */
export const NATIVE_CODE_SNIFF_BYTES = 4096;

/**
 * The kind of native code `head` (a file's first bytes, up to {@link NATIVE_CODE_SNIFF_BYTES})
 * starts with: `ELF`, `Mach-O`, `Mach-O universal` or `PE`; undefined for anything else.
 */
export function nativeCodeFormat(head: Uint8Array): string | undefined {
  if (head.length < 4) return undefined;
  const b0 = head[0];
  const b1 = head[1];
  const b2 = head[2];
  const b3 = head[3];
  if (b0 === 0x7f && b1 === 0x45 && b2 === 0x4c && b3 === 0x46) return 'ELF';
  const magic = ((b0 ?? 0) << 24) | ((b1 ?? 0) << 16) | ((b2 ?? 0) << 8) | (b3 ?? 0);
  // 32- and 64-bit Mach-O in either byte order.
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(magic >>> 0)) return 'Mach-O';
  // A universal binary; a Java class file shares the magic, and is code too.
  if (magic >>> 0 === 0xcafebabe) return 'Mach-O universal';
  // PE: the DOS header's e_lfanew points at "PE\0\0".
  if (b0 === 0x4d && b1 === 0x5a && head.length >= 0x40) {
    const at =
      (head[0x3c] ?? 0) |
      ((head[0x3d] ?? 0) << 8) |
      ((head[0x3e] ?? 0) << 16) |
      ((head[0x3f] ?? 0) << 24);
    if (
      at >= 0x40 &&
      at + 4 <= head.length &&
      head[at] === 0x50 &&
      head[at + 1] === 0x45 &&
      head[at + 2] === 0 &&
      head[at + 3] === 0
    )
      return 'PE';
  }
  return undefined;
}
