import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Hash algorithms torchward computes over file contents. */
export type FileHashAlgorithm = 'sha256' | 'blake2b';

/** One unit of hashing work: a whole file (`end` undefined) or the byte range `[start, end)`. */
export interface HashTask {
  readonly path: string;
  readonly algorithm: FileHashAlgorithm;
  readonly start: number;
  /** Exclusive end; undefined hashes to end of file. */
  readonly end?: number;
}

// 1 MiB reads: large enough that syscall overhead vanishes next to SHA-256, small enough to keep
// memory flat per worker whatever the file size.
const CHUNK = 1 << 20;

const NODE_NAME: Readonly<Record<FileHashAlgorithm, string>> = {
  sha256: 'sha256',
  // model_signing's `blake2` is hashlib.blake2b with its default 64-byte digest.
  blake2b: 'blake2b512',
};

/**
 * Hashes a task synchronously, streaming through `buffer` (allocated when omitted), and returns
 * the digest in lowercase hex and the number of bytes hashed. Throws a Node system error when the
 * file cannot be read, and an Error when it is shorter than the requested range.
 */
export function digestFileSync(
  task: HashTask,
  buffer?: Uint8Array,
): { digest: string; bytes: number } {
  const buf = buffer ?? new Uint8Array(CHUNK);
  const hash = createHash(NODE_NAME[task.algorithm]);
  const fd = openSync(task.path, 'r');
  try {
    const end = task.end ?? fstatSync(fd).size;
    let pos = task.start;
    while (pos < end) {
      const n = readSync(fd, buf, 0, Math.min(buf.byteLength, end - pos), pos);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      pos += n;
    }
    // A whole-file task keeps reading past the stat size if the file grew; a range must be exact.
    if (task.end === undefined) {
      for (;;) {
        const n = readSync(fd, buf, 0, buf.byteLength, pos);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        pos += n;
      }
    } else if (pos < end) {
      throw new Error(`${task.path} is shorter than ${end} bytes`);
    }
    return { digest: hash.digest('hex'), bytes: pos - task.start };
  } finally {
    closeSync(fd);
  }
}

/** Allocates a read buffer of the default chunk size. */
export function newChunkBuffer(): Uint8Array {
  return new Uint8Array(CHUNK);
}
