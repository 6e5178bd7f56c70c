import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { decodeArrowLz4, MAX_ARROW_BUFFER } from '../../src/privacy/arrow-codecs.js';
import { formatErrorCode } from '../helpers/format-error-code.js';

// An Arrow IPC compressed buffer: the int64 uncompressed length, then the LZ4 frame; the codec
// sees the bytes after the prefix, as apache-arrow hands them over.
function arrowBuffer(declared: bigint, frame: Uint8Array): Uint8Array {
  const whole = new Uint8Array(8 + frame.byteLength);
  new DataView(whole.buffer).setBigInt64(0, declared, true);
  whole.set(frame, 8);
  return whole.subarray(8);
}

// A real LZ4 frame (Debian's lz4 tool) of `size` zero bytes.
function zerosFrame(size: number): Uint8Array {
  return execFileSync('/usr/bin/lz4', ['-c', '-q'], { input: Buffer.alloc(size) });
}

describe('Arrow IPC LZ4 buffers', () => {
  it('decodes a frame to its declared length', () => {
    const out = decodeArrowLz4(arrowBuffer(100_000n, zerosFrame(100_000)));
    assert.equal(out.byteLength, 100_000);
    assert.ok(out.every((b) => b === 0));
  });

  it('refuses a bomb: more output than declared, a declared length past the ceiling', () => {
    // 16 MiB of zeros compress to a few KiB: declaring 1 KiB stops the decoder at 1 KiB.
    const bomb = zerosFrame(16 * 1024 * 1024);
    assert.ok(bomb.byteLength < 128 * 1024);
    assert.equal(
      formatErrorCode(() => decodeArrowLz4(arrowBuffer(1024n, bomb))),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      formatErrorCode(() => decodeArrowLz4(arrowBuffer(BigInt(MAX_ARROW_BUFFER) + 1n, bomb))),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      formatErrorCode(() => decodeArrowLz4(arrowBuffer(-5n, bomb))),
      'LIMIT_EXCEEDED',
    );
    // Less output than declared is a lie too.
    assert.equal(
      formatErrorCode(() => decodeArrowLz4(arrowBuffer(200_000n, zerosFrame(100_000)))),
      'BAD_LENGTH',
    );
    assert.equal(
      formatErrorCode(() => decodeArrowLz4(arrowBuffer(10n, new Uint8Array([1, 2, 3, 4, 5])))),
      'BAD_MAGIC',
    );
  });
});
