import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { checkLimit, FormatError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { decompress, type Compression } from '../formats/compress/index.js';

/** Bytes read per chunk from disk. */
const CHUNK_BYTES = 1024 * 1024;
/**
 * Longest piece of one line handed to the detector. A longer line (a 1 GB single-line file)
 * is cut into windows of this size, at whitespace where the last 4 KiB has any, so memory stays
 * bounded whatever the line length.
 */
export const MAX_WINDOW_CHARS = 1024 * 1024;
/** Whole-buffer decompressors (bz2, xz, lz4) hold their output: keep that small. */
const MAX_HELD_INFLATE = 256 * 1024 * 1024;

/** The compression wrapper named by a file name's last extension. */
export function wrapperOf(name: string): Compression | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.gz')) return 'gzip';
  if (lower.endsWith('.bz2')) return 'bz2';
  if (lower.endsWith('.xz')) return 'xz';
  if (lower.endsWith('.lz4')) return 'lz4';
  return undefined;
}

/**
 * The file's bytes as a stream of chunks, unwrapped when `wrapper` is given: gzip streams
 * (constant memory; at most `limits.maxTotalInflatedBytes` out, else LIMIT_EXCEEDED), other
 * wrappers through the bounded whole-buffer decoders of src/formats/compress.
 */
export async function* byteChunks(
  path: string,
  wrapper: Compression | undefined,
  limits: Limits,
): AsyncGenerator<Uint8Array> {
  if (wrapper === undefined) {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }))
      yield chunk as Buffer;
    return;
  }
  if (wrapper === 'gzip') {
    let total = 0;
    const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES }).pipe(createGunzip());
    try {
      for await (const chunk of stream) {
        total += (chunk as Buffer).byteLength;
        // A gzip bomb inflates without end; the budget stops it as the scan of archives does.
        checkLimit(
          total,
          limits.maxTotalInflatedBytes,
          'maxTotalInflatedBytes',
          0,
          'gzip output exceeds the inflate budget',
        );
        yield chunk as Buffer;
      }
    } catch (error) {
      if (error instanceof FormatError) throw error;
      throw new FormatError('TRUNCATED', `gzip stream: ${String(error)}`, 0, { cause: error });
    } finally {
      stream.destroy();
    }
    return;
  }
  const { readFile, stat } = await import('node:fs/promises');
  const info = await stat(path);
  checkLimit(
    info.size,
    MAX_HELD_INFLATE,
    'held input',
    0,
    () => `${wrapper} input larger than 256 MiB`,
  );
  const held = { ...limits, maxInflatedBytes: Math.min(limits.maxInflatedBytes, MAX_HELD_INFLATE) };
  yield await decompress(wrapper, await readFile(path), held, { inflatedBytes: 0 });
}

/** One line (or one window of a long line) of decoded text. */
export interface TextLine {
  /** 1-based line number. */
  readonly line: number;
  /** UTF-16 offset of `text` within its line (non-zero for the later windows of a long line). */
  readonly column: number;
  readonly text: string;
  /** True for a window cut from a line longer than MAX_WINDOW_CHARS. */
  readonly partial: boolean;
}

/**
 * Splits a byte stream into lines (LF or CRLF), decoding UTF-8 without failing (invalid bytes
 * become U+FFFD, which the caller counts as binary). Lines longer than MAX_WINDOW_CHARS come
 * out as several windows with the same line number.
 */
export async function eachLine(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  onLine: (line: TextLine) => void,
  /**
   * `firstLine`: the number of the first line (default 1); `keepBom`: a leading U+FEFF is
   * text, not a byte order mark (for a stream that starts inside a file).
   */
  options: { readonly firstLine?: number; readonly keepBom?: boolean } = {},
): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: options.keepBom === true });
  let carry = '';
  let line = options.firstLine ?? 1;
  let column = 0;
  let partial = false;
  const flushWindows = (): void => {
    while (carry.length > MAX_WINDOW_CHARS) {
      let cut = MAX_WINDOW_CHARS;
      const space = carry.lastIndexOf(' ', MAX_WINDOW_CHARS);
      if (space > MAX_WINDOW_CHARS - 4096) cut = space + 1;
      onLine({ line, column, text: carry.slice(0, cut), partial: true });
      column += cut;
      partial = true;
      carry = carry.slice(cut);
    }
  };
  const take = (text: string): void => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let piece = carry + text.slice(start, nl);
      carry = '';
      if (piece.endsWith('\r')) piece = piece.slice(0, -1);
      if (piece.length > MAX_WINDOW_CHARS) {
        carry = piece;
        flushWindows();
        piece = carry;
        carry = '';
      }
      onLine({ line, column, text: piece, partial });
      line++;
      column = 0;
      partial = false;
      start = nl + 1;
    }
    carry += text.slice(start);
    flushWindows();
  };
  for await (const chunk of chunks) take(decoder.decode(chunk, { stream: true }));
  take(decoder.decode());
  if (carry.length > 0) onLine({ line, column, text: carry, partial });
}
