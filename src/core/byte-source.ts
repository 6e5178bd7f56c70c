import { open, type FileHandle } from 'node:fs/promises';

/**
 * Random access to a possibly huge input. Parsers fetch only the ranges they need (a header,
 * a central directory) instead of loading gigabytes.
 */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Reads `[offset, offset + length)`, clamped to the end of the source. Never reads past `size`.
   * Rejects with RangeError on a negative offset or length (misuse, not bad input).
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory. */
export class MemorySource implements ByteSource {
  constructor(readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.byteLength;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const bad = rangeError(offset, length);
    if (bad !== undefined) return Promise.reject(bad);
    const start = Math.min(offset, this.bytes.byteLength);
    return Promise.resolve(
      this.bytes.subarray(start, Math.min(this.bytes.byteLength, start + length)),
    );
  }
}

/** A window `[start, start + size)` of another source (a stored archive member). */
export class SliceSource implements ByteSource {
  constructor(
    private readonly inner: ByteSource,
    readonly start: number,
    readonly size: number,
  ) {}

  read(offset: number, length: number): Promise<Uint8Array> {
    const bad = rangeError(offset, length);
    if (bad !== undefined) return Promise.reject(bad);
    const clamped = Math.max(0, Math.min(length, this.size - offset));
    return this.inner.read(this.start + Math.min(offset, this.size), clamped);
  }
}

/** A source over an open file; close it when done. */
export class FileSource implements ByteSource {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** Opens `path` read-only and records its size. */
  static async open(path: string): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      return new FileSource(handle, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const bad = rangeError(offset, length);
    if (bad !== undefined) throw bad;
    const n = Math.max(0, Math.min(length, this.size - offset));
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.handle.read(out, done, n - done, offset + done);
      if (bytesRead === 0) break; // the file shrank under us: return what exists
      done += bytesRead;
    }
    return done === n ? out : out.subarray(0, done);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Reads a whole source into memory; the caller checks `size` against its limit first. */
export function readAll(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

function rangeError(offset: number, length: number): RangeError | undefined {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    return new RangeError(`bad range ${offset}+${length}`);
  }
  return undefined;
}
