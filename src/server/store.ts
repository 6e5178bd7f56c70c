import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** An artifact id: the lowercase hex SHA-256 of its bytes. */
export const SHA256_ID = /^[0-9a-f]{64}$/;

/** Thrown when an upload or download passes its byte limit; nothing is kept. */
export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
  constructor(readonly limit: number) {
    super(`the artifact exceeds the limit of ${limit} bytes`);
  }
}

/**
 * Thrown when the bytes received are not the ones the source promised (a Hub file whose hash or
 * size differs from its tree entry); nothing is kept.
 */
export class MismatchError extends Error {
  override readonly name = 'MismatchError';
}

/** What the bytes must be, checked before they are kept. */
export interface Expected {
  readonly size?: number;
  /** Lowercase hex SHA-256 of the content (a Git LFS object id). */
  readonly sha256?: string;
  /** Git blob id: SHA-1 of `blob <size>\0` and the content (a file kept in git itself). */
  readonly gitBlobSha1?: string;
  /** Named in the error. */
  readonly what: string;
}

/** What was stored: the artifact's SHA-256 (its id) and size. */
export interface Stored {
  readonly sha256: string;
  readonly size: number;
}

/**
 * A content-addressed store: `objects/<sha256>` under a folder. An artifact is streamed into
 * `tmp/` while it is hashed and renamed into place only once complete, so a reader never sees a
 * half-written object; an aborted or over-limit stream leaves nothing behind. Workers on other
 * machines read the same folder (a shared file system).
 */
export class ContentStore {
  constructor(readonly root: string) {}

  /** Creates the store's folders. */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'objects'), { recursive: true });
    await mkdir(join(this.root, 'tmp'), { recursive: true });
  }

  /** Where the artifact `sha256` lives (it may not exist). */
  objectPath(sha256: string): string {
    if (!SHA256_ID.test(sha256)) throw new RangeError(`not an artifact id: ${sha256}`);
    return join(this.root, 'objects', sha256);
  }

  /** True when the artifact is stored. */
  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.objectPath(sha256))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Streams `chunks` into the store, at most `maxBytes`: TooLargeError past it, and any error of
   * the stream itself, after removing the partial file. With `expect`, bytes that are not the
   * promised ones are a MismatchError, and nothing is kept either.
   */
  async ingest(
    chunks: AsyncIterable<Uint8Array>,
    maxBytes: number,
    expect?: Expected,
  ): Promise<Stored> {
    const tmp = join(this.root, 'tmp', `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    const blob =
      expect?.gitBlobSha1 === undefined || expect.size === undefined
        ? undefined
        : createHash('sha1').update(`blob ${expect.size}\0`);
    const out = createWriteStream(tmp, { flags: 'wx' });
    const failed = new Promise<never>((_, reject) => out.once('error', reject));
    failed.catch(() => undefined);
    let size = 0;
    try {
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new TooLargeError(maxBytes);
        hash.update(chunk);
        blob?.update(chunk);
        if (!out.write(chunk)) {
          await Promise.race([
            new Promise<void>((r) => {
              out.once('drain', () => {
                r();
              });
            }),
            failed,
          ]);
        }
      }
      await Promise.race([
        new Promise<void>((r) => {
          out.end(() => {
            r();
          });
        }),
        failed,
      ]);
      const sha256 = hash.digest('hex');
      if (expect !== undefined) checkExpected(expect, sha256, size, blob?.digest('hex'));
      // Same content, same name: a concurrent upload of the same bytes renames over an equal file.
      await rename(tmp, this.objectPath(sha256));
      return { sha256, size };
    } catch (error) {
      // The file is opened asynchronously: removed before the stream closes, a still-pending open
      // could create it again afterwards and leave a stray .part behind.
      const closed = out.closed
        ? Promise.resolve()
        : new Promise<void>((r) => {
            out.once('close', () => {
              r();
            });
          });
      out.destroy();
      await closed;
      await rm(tmp, { force: true });
      throw error;
    }
  }
}

function checkExpected(
  expect: Expected,
  sha256: string,
  size: number,
  gitBlobSha1: string | undefined,
): void {
  if (expect.size !== undefined && size !== expect.size) {
    throw new MismatchError(`${expect.what}: received ${size} bytes, expected ${expect.size}`);
  }
  if (expect.sha256 !== undefined && sha256 !== expect.sha256) {
    throw new MismatchError(`${expect.what}: SHA-256 ${sha256}, expected ${expect.sha256}`);
  }
  if (expect.gitBlobSha1 !== undefined && gitBlobSha1 !== expect.gitBlobSha1) {
    throw new MismatchError(
      `${expect.what}: git blob id ${gitBlobSha1 ?? 'unknown'}, expected ${expect.gitBlobSha1}`,
    );
  }
}
