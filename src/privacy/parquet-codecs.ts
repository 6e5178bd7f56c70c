import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Compressors } from 'hyparquet';
import { FormatError } from '../core/errors.js';
import { decodeLz4Block } from '../formats/compress/index.js';
import { inflateZstd } from './arrow-codecs.js';

/**
 * Bounded page decompressors for hyparquet, which decodes only SNAPPY itself: ZSTD (fzstd behind
 * the block-header bound of inflateZstd), GZIP and BROTLI (Node's zlib with `maxOutputLength`)
 * and LZ4_RAW (the scan's own LZ4 block decoder), each never producing more than the page's
 * declared uncompressed size nor more than `ceiling` bytes. Hadoop-framed LZ4 (the deprecated
 * `LZ4` codec) stays without a decompressor: hyparquet reports the column as not decodable.
 */
export function parquetCompressors(ceiling: number): Compressors {
  const cap = (length: number, codec: string): number => {
    if (length < 0 || length > ceiling)
      throw new FormatError(
        'LIMIT_EXCEEDED',
        `${codec} Parquet page declares ${length} bytes (ceiling ${ceiling})`,
        0,
      );
    return length;
  };
  const zlib = (codec: string, run: () => Buffer): Uint8Array => {
    try {
      return run();
    } catch (error) {
      // ERR_BUFFER_TOO_LARGE: the stream would inflate past the page's declared size.
      const code = (error as { code?: unknown }).code;
      throw new FormatError(
        code === 'ERR_BUFFER_TOO_LARGE' ? 'LIMIT_EXCEEDED' : 'BAD_STRUCTURE',
        `${codec} Parquet page: ${String(error)}`,
        0,
        { cause: error },
      );
    }
  };
  return {
    ZSTD: (input, length) => inflateZstd(input, cap(length, 'ZSTD'), ceiling, 'Parquet page'),
    GZIP: (input, length) =>
      zlib('GZIP', () => gunzipSync(input, { maxOutputLength: Math.max(1, cap(length, 'GZIP')) })),
    BROTLI: (input, length) =>
      zlib('BROTLI', () =>
        brotliDecompressSync(input, { maxOutputLength: Math.max(1, cap(length, 'BROTLI')) }),
      ),
    LZ4_RAW: (input, length) => decodeLz4Block(input, cap(length, 'LZ4_RAW')),
  };
}
