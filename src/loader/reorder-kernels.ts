import type { WasmMemory } from './aligned-memory.js';
import { REORDER_WASM_BASE64 } from './reorder-wasm.js';

/**
 * The reorder kernels of src/loader/reorder.wat, bound to one memory. Offsets and strides are in
 * bytes of that memory; each copies 4-byte words, dst[db + j·dj + i·di] = src[sb + j·sj + i·si]
 * for i < ni, j < nj.
 */
export interface ReorderKernels {
  /** Any strides, in 64 × 64 tiles, i innermost. */
  scalar(
    ni: number,
    si: number,
    di: number,
    nj: number,
    sj: number,
    dj: number,
    sb: number,
    db: number,
  ): void;
  /** di = 4 and sj = 4 (a transpose), ni and nj multiples of 4: 4 × 4 SIMD blocks. */
  transpose(ni: number, si: number, nj: number, dj: number, sb: number, db: number): void;
  /** si = di = 4: nj dense runs of ni words. */
  rows(ni: number, nj: number, sj: number, dj: number, sb: number, db: number): void;
}

/** The part of the WebAssembly API used here (not in the project's TypeScript lib). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

let compiled: object | null | undefined;

/** The compiled module, or null where WebAssembly (or its SIMD) is unavailable (--jitless). */
function reorderModule(): object | null {
  if (compiled !== undefined) return compiled;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    // 889 bytes: compiled synchronously, once per process.
    compiled =
      api === undefined ? null : new api.Module(Buffer.from(REORDER_WASM_BASE64, 'base64'));
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * The kernels working on `memory` (a WebAssembly.Memory of at most 2 GiB), or undefined when
 * WebAssembly is unavailable: the caller then reorders in JavaScript.
 */
export function reorderKernels(memory: WasmMemory): ReorderKernels | undefined {
  const module = reorderModule();
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (module === null || api === undefined) return undefined;
  try {
    const { exports } = new api.Instance(module, { env: { memory } });
    return exports as unknown as ReorderKernels;
  } catch {
    return undefined;
  }
}
