import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { parseGgufHeader } from '../../../src/formats/gguf/index.js';
import { fixture } from '../../helpers/issue4-fixtures.js';

/** Little-endian byte builder for hand-made hostile headers. */
class B {
  private readonly parts: number[] = [];
  raw(...b: number[]): this {
    this.parts.push(...b);
    return this;
  }
  u32(v: number): this {
    for (let i = 0; i < 4; i++) this.parts.push((v >>> (8 * i)) & 0xff);
    return this;
  }
  u64(v: bigint): this {
    for (let i = 0n; i < 8n; i++) this.parts.push(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u64(BigInt(b.length)).raw(...b);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const head = (version: number, tensors: bigint, kvs: bigint): B =>
  new B().raw(0x47, 0x47, 0x55, 0x46).u32(version).u64(tensors).u64(kvs);

const code = (bytes: Uint8Array, size = bytes.byteLength): string => {
  try {
    parseGgufHeader(bytes, size, DEFAULT_LIMITS);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'OK';
};

describe('GGUF malformed input', () => {
  it('truncation at every offset gives BAD_MAGIC, TRUNCATED or BAD_LENGTH', () => {
    const full = fixture('gguf', 'ok', 'chatml.gguf');
    const h = parseGgufHeader(full, full.byteLength, DEFAULT_LIMITS);
    const headerEnd = Math.max(...h.tensors.map((t) => t.span.end));
    for (let n = 0; n < full.byteLength; n++) {
      const expected = n < 4 ? 'BAD_MAGIC' : n < headerEnd ? 'TRUNCATED' : 'BAD_LENGTH';
      assert.equal(code(full.subarray(0, n)), expected, `cut at ${n}`);
    }
    assert.equal(code(full), 'OK');
  });

  it('rejects bad magic and unsupported versions', () => {
    assert.equal(code(new B().raw(0x47, 0x47, 0x4d, 0x4c).u32(3).bytes()), 'BAD_MAGIC');
    assert.equal(code(head(1, 0n, 0n).bytes()), 'UNSUPPORTED_VERSION');
    assert.equal(code(head(4, 0n, 0n).bytes()), 'UNSUPPORTED_VERSION');
    assert.equal(code(head(3, 0n, 0n).bytes()), 'OK');
  });

  it('bounds counts, lengths and nesting', () => {
    assert.equal(code(head(3, 1n << 40n, 0n).bytes()), 'LIMIT_EXCEEDED');
    assert.equal(code(head(3, 0n, 100_001n).bytes()), 'LIMIT_EXCEEDED');
    assert.equal(
      code(
        head(3, 0n, 1n)
          .u64(1n << 62n)
          .bytes(),
      ),
      'BAD_LENGTH',
    );
    assert.equal(
      code(
        head(3, 0n, 1n)
          .u64(1n << 40n)
          .bytes(),
      ),
      'TRUNCATED',
    );
    // An array claiming 2^40 u8 elements cannot fit the bytes that follow.
    assert.equal(
      code(
        head(3, 0n, 1n)
          .str('k')
          .u32(9)
          .u32(0)
          .u64(1n << 40n)
          .bytes(),
      ),
      'TRUNCATED',
    );
    const bomb = head(3, 0n, 1n).str('k').u32(9);
    for (let i = 0; i < 10; i++) bomb.u32(9).u64(1n);
    assert.equal(code(bomb.u32(0).u64(0n).bytes()), 'LIMIT_EXCEEDED');
  });

  it('rejects bad values and structure', () => {
    assert.equal(code(head(3, 0n, 1n).str('k').u32(13).bytes()), 'BAD_VALUE');
    assert.equal(code(head(3, 0n, 1n).str('k').u32(7).raw(2).bytes()), 'BAD_VALUE');
    assert.equal(code(head(3, 0n, 1n).u64(1n).raw(0xff).u32(0).raw(0).bytes()), 'BAD_UTF8');
    assert.equal(
      code(head(3, 0n, 2n).str('k').u32(0).raw(1).str('k').u32(0).raw(1).bytes()),
      'BAD_STRUCTURE',
    );
    assert.equal(
      code(head(3, 0n, 1n).str('general.alignment').u32(4).u32(24).bytes()),
      'BAD_VALUE',
    );
    assert.equal(code(head(3, 0n, 1n).str('general.alignment').u32(4).u32(0).bytes()), 'BAD_VALUE');
    assert.equal(
      code(head(3, 0n, 1n).str('general.alignment').u32(10).u64(32n).bytes()),
      'BAD_VALUE',
    );
    const tensor = (b: B, name: string, dims: bigint[], type: number, offset: bigint): B => {
      b.str(name).u32(dims.length);
      for (const d of dims) b.u64(d);
      return b.u32(type).u64(offset);
    };
    const pad = (b: B): Uint8Array => {
      const x = b.bytes();
      const out = new Uint8Array(Math.ceil(x.byteLength / 32) * 32 + 64);
      out.set(x);
      return out;
    };
    assert.equal(code(pad(tensor(head(3, 1n, 0n), 't', [1n, 1n, 1n, 1n, 1n], 0, 0n))), 'BAD_VALUE');
    assert.equal(code(pad(tensor(head(3, 1n, 0n), 't', [4n], 0, 4n))), 'BAD_VALUE');
    assert.equal(code(pad(tensor(head(3, 1n, 0n), 't', [4n], 0, 0n))), 'OK');
    assert.equal(code(pad(tensor(head(3, 1n, 0n), 't', [1n << 40n], 0, 0n))), 'BAD_LENGTH');
    // Q4_0 rows are blocks of 32 elements.
    assert.equal(code(pad(tensor(head(3, 1n, 0n), 't', [31n], 2, 0n))), 'BAD_VALUE');
    const two = tensor(tensor(head(3, 2n, 0n), 'a', [8n], 0, 0n), 'b', [8n], 0, 0n);
    assert.equal(code(pad(two)), 'BAD_STRUCTURE');
    const twice = tensor(tensor(head(3, 2n, 0n), 'a', [8n], 0, 0n), 'a', [8n], 0, 32n);
    assert.equal(code(pad(twice)), 'BAD_STRUCTURE');
    // Unknown ggml type: ggml refuses the file, so does the decoder (issue 12).
    assert.equal(code(pad(tensor(head(3, 1n, 0n), 't', [8n], 99, 0n))), 'UNSUPPORTED_FEATURE');
    assert.equal(code(pad(tensor(head(3, 1n, 0n), 't', [8n], 4, 0n))), 'UNSUPPORTED_FEATURE');
    // MXFP4 (39): blocks of 32 elements in 17 bytes.
    assert.equal(code(pad(tensor(head(3, 1n, 0n), 't', [32n], 39, 0n))), 'OK');
  });
});
