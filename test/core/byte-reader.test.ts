import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader, decodeUtf8 } from '../../src/core/byte-reader.js';
import { FormatError } from '../../src/core/errors.js';
import { LineIndex } from '../../src/core/line-index.js';
import { MemorySource, SliceSource } from '../../src/core/byte-source.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw error;
  }
  return undefined;
}

describe('ByteReader', () => {
  it('reads little- and big-endian integers at the cursor', () => {
    const r = new ByteReader(new Uint8Array([1, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
    assert.equal(r.u16(true), 1);
    assert.equal(r.u16(false), 2);
    assert.equal(r.i32(true), -1);
    assert.equal(r.remaining, 4);
  });

  it('throws TRUNCATED before reading past the end, with the absolute offset', () => {
    const r = new ByteReader(new Uint8Array([1, 2, 3]), 0, 100);
    r.u8();
    try {
      r.u32(true);
      assert.fail('expected a FormatError');
    } catch (error) {
      assert.ok(error instanceof FormatError);
      assert.equal(error.code, 'TRUNCATED');
      assert.equal(error.offset, 101);
    }
  });

  it('rejects a u64 length that is not a safe integer as BAD_LENGTH', () => {
    const bytes = new Uint8Array(16).fill(0xff);
    assert.equal(
      code(() => new ByteReader(bytes).u64Safe(true)),
      'BAD_LENGTH',
    );
  });

  it('proves a len64le length exists before returning it', () => {
    const bytes = new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
    assert.equal(
      code(() => new ByteReader(bytes).len64le()),
      'TRUNCATED',
    );
  });

  it('reads lines up to a bound and reports a missing terminator', () => {
    const r = new ByteReader(new TextEncoder().encode('abc\ndef'));
    assert.deepEqual([...r.line(10)], [0x61, 0x62, 0x63]);
    assert.equal(
      code(() => r.line(10)),
      'TRUNCATED',
    );
    assert.equal(
      code(() => new ByteReader(new TextEncoder().encode('abcdef\n')).line(3)),
      'LIMIT_EXCEEDED',
    );
  });

  it('decodes strict UTF-8 and reports BAD_UTF8', () => {
    assert.equal(decodeUtf8(new Uint8Array([0xc3, 0xa9]), 0), 'é');
    assert.equal(
      code(() => decodeUtf8(new Uint8Array([0xc3]), 7)),
      'BAD_UTF8',
    );
  });

  it('respects the byteOffset of a Buffer window', () => {
    const pool = new Uint8Array([9, 9, 9, 1, 0, 0, 0]);
    const r = new ByteReader(pool.subarray(3));
    assert.equal(r.u32(true), 1);
  });
});

describe('byte sources', () => {
  it('clamps reads to the end of the source and of a slice', async () => {
    const src = new MemorySource(new Uint8Array([0, 1, 2, 3, 4, 5]));
    assert.deepEqual([...(await src.read(4, 10))], [4, 5]);
    const slice = new SliceSource(src, 2, 3);
    assert.deepEqual([...(await slice.read(1, 10))], [3, 4]);
    assert.deepEqual([...(await slice.read(5, 1))], []);
    await assert.rejects(src.read(-1, 1), RangeError);
  });
});

describe('LineIndex', () => {
  it('maps offsets to 1-based lines and columns', () => {
    const idx = new LineIndex('ab\ncd\r\nef');
    assert.deepEqual(idx.position(0), { line: 1, column: 1 });
    assert.deepEqual(idx.position(4), { line: 2, column: 2 });
    assert.deepEqual(idx.position(7), { line: 3, column: 1 });
    assert.equal(idx.lineText(2), 'cd');
    assert.equal(idx.lineText(9), '');
  });
});
