import type { ByteSource } from '../core/byte-source.js';
import { LoadError } from './errors.js';
import { PositionedFile } from './positioned-file.js';

/** Reads up to this size use the synchronous path (no thread-pool round trip). */
const SYNC_READ_MAX = 1024 * 1024;

/**
 * Reads exactly `target.byteLength` bytes at `position` of `source`. Throws
 * LoadError('INVALID_STORAGE') when the source ends first.
 */
export async function readStorage(
  source: ByteSource,
  position: number,
  target: Uint8Array,
): Promise<void> {
  if (source instanceof PositionedFile) {
    if (target.byteLength <= SYNC_READ_MAX) source.readIntoSync(position, target);
    else await source.readInto(position, target);
    return;
  }
  const got = await source.read(position, target.byteLength);
  if (got.byteLength !== target.byteLength) {
    throw new LoadError(
      'INVALID_STORAGE',
      `storage ends early: wanted ${target.byteLength} bytes at ${position}, got ${got.byteLength}`,
    );
  }
  target.set(got);
}

/** Reverses each `unit`-byte group of `bytes` in place (big-endian → little-endian). */
export function swapBytes(bytes: Uint8Array, unit: number): void {
  if (unit <= 1) return;
  for (let i = 0; i + unit <= bytes.byteLength; i += unit) {
    for (let a = i, b = i + unit - 1; a < b; a++, b--) {
      const t = bytes[a] ?? 0;
      bytes[a] = bytes[b] ?? 0;
      bytes[b] = t;
    }
  }
}
