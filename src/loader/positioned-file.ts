import { fstatSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import {
  assertRange,
  fillFromFile,
  fillFromFileSync,
  readFileRange,
  type ByteSource,
} from '../core/byte-source.js';
import { LoadError } from './errors.js';

/**
 * A read-only file read by position into caller-owned buffers, so streaming a multi-gigabyte
 * storage allocates nothing per chunk. It is also a plain `ByteSource` for the format parsers.
 */
export class PositionedFile implements ByteSource {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    /** The stat taken at open; `assertUnchanged` compares against it. */
    readonly stats: Stats,
  ) {}

  /** Opens `path` read-only. Throws the fs error (ENOENT, EACCES, EISDIR …) as is. */
  static async open(path: string): Promise<PositionedFile> {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new LoadError('UNREADABLE', `${path} is not a regular file`);
      return new PositionedFile(handle, stats.size, stats);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The underlying descriptor (for stat comparisons). */
  get fd(): number {
    return this.handle.fd;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return readFileRange(this.handle, this.size, offset, length);
  }

  /**
   * Reads exactly `target.byteLength` bytes at `position` into `target`. Throws
   * LoadError('INVALID_STORAGE') when the file ends first (it shrank, or a length lied).
   */
  async readInto(position: number, target: Uint8Array): Promise<void> {
    assertRange(position, target.byteLength);
    const got = await fillFromFile(this.handle, target, position);
    if (got !== target.byteLength) throw shortRead(position, target.byteLength, got);
  }

  /** `readInto` without a thread-pool round trip, for many small reads (strided gathers). */
  readIntoSync(position: number, target: Uint8Array): void {
    assertRange(position, target.byteLength);
    const got = fillFromFileSync(this.handle.fd, target, position);
    if (got !== target.byteLength) throw shortRead(position, target.byteLength, got);
  }

  /**
   * Throws LoadError('CHANGED') when the open file's size, inode or modification time differ from
   * the stat taken at open, or when `path` (given) now names another file: what was scanned must
   * be what is converted.
   */
  assertUnchanged(path?: string): void {
    const now = fstatSync(this.handle.fd);
    const was = this.stats;
    if (path !== undefined) {
      let named: Stats;
      try {
        named = statSync(path);
      } catch (error) {
        throw new LoadError(
          'CHANGED',
          `${path} disappeared while it was being read`,
          undefined,
          [],
          {
            cause: error,
          },
        );
      }
      if (named.ino !== was.ino || named.dev !== was.dev) {
        throw new LoadError('CHANGED', `${path} was replaced while it was being scanned or read`);
      }
    }
    if (
      now.size !== was.size ||
      now.ino !== was.ino ||
      now.dev !== was.dev ||
      now.mtimeMs !== was.mtimeMs ||
      now.ctimeMs !== was.ctimeMs
    ) {
      throw new LoadError('CHANGED', 'the file changed while it was being scanned or read');
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function shortRead(position: number, want: number, got: number): LoadError {
  return new LoadError(
    'INVALID_STORAGE',
    `file ends inside a storage: wanted ${want} bytes at ${position}, got ${got}`,
  );
}
