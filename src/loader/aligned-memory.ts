/**
 * Copy buffers whose bytes can be placed at the same offset modulo COPY_ALIGN as the file position
 * they are written to.
 *
 * The kernel copies between the page cache and a process with `rep movsb`, which on the AMD EPYC
 * of the bench machine runs at about two thirds of its speed when source and destination disagree
 * modulo 64. A large `Uint8Array` sits 16 bytes past a page boundary (glibc's header of an mmap'd
 * block), so every write from one was a misaligned copy. Measured by the in-place part of
 * bench/convert.mjs (2 GiB from a warm page cache over an existing file, 1 MiB reads, 256 KiB
 * writes): 0.54-0.79 s through a plain `Uint8Array`, 0.36-0.40 s through a page-aligned one; the
 * page-aligned buffer used 16 bytes in was as slow as the plain one.
 */
export const COPY_ALIGN = 64;

const WASM_PAGE = 64 * 1024;

/** The part of the WebAssembly API used here (not in the project's TypeScript lib). */
type WasmMemoryConstructor = new (descriptor: { initial: number; maximum: number }) => WasmMemory;

/** A WebAssembly.Memory, as far as it is used here. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** Buffers carved from one memory, and that memory (absent when WebAssembly is). */
export interface AlignedArena {
  readonly memory: WasmMemory | undefined;
  readonly buffers: Uint8Array[];
}

/**
 * `count` buffers of `size` bytes, each starting on a page boundary when the engine allows it.
 * They are carved from one WebAssembly.Memory, whose backing store V8 maps page-aligned (an
 * engine property, not a language guarantee: where it does not hold, or WebAssembly is absent as
 * under --jitless, the buffers are plain and only slower). The memory never grows, so a view is
 * never detached while a read on the thread pool fills it. Pages are committed when first
 * touched, so unused capacity costs address space, not memory.
 */
export function alignedArena(count: number, size: number): AlignedArena {
  const stride = Math.ceil(size / WASM_PAGE) * WASM_PAGE;
  const pages = (stride / WASM_PAGE) * count;
  const Memory = (globalThis as { WebAssembly?: { Memory?: WasmMemoryConstructor } }).WebAssembly
    ?.Memory;
  let memory: WasmMemory | undefined;
  try {
    memory = Memory === undefined ? undefined : new Memory({ initial: pages, maximum: pages });
  } catch {
    memory = undefined; // no address space for it: plain buffers
  }
  const buffers = Array.from({ length: count }, (_, i) =>
    memory === undefined ? new Uint8Array(size) : new Uint8Array(memory.buffer, i * stride, size),
  );
  return { memory, buffers };
}

/** `count` buffers of `size` bytes, page-aligned where possible (see {@link alignedArena}). */
export function alignedBuffers(count: number, size: number): Uint8Array[] {
  return alignedArena(count, size).buffers;
}

/** One buffer of `size` bytes, as {@link alignedBuffers}. */
export function alignedBuffer(size: number): Uint8Array {
  return alignedBuffers(1, size)[0] ?? new Uint8Array(size);
}
