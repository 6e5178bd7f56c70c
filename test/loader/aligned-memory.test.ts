import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignedBuffer, alignedBuffers } from '../../src/loader/aligned-memory.js';

describe('alignedBuffers', () => {
  it('gives separate buffers of the size asked, each at a 64 KiB boundary of one memory', () => {
    const buffers = alignedBuffers(3, 1024 * 1024 + 64);
    assert.equal(buffers.length, 3);
    const memory = buffers[0]?.buffer;
    for (const [i, b] of buffers.entries()) {
      assert.equal(b.byteLength, 1024 * 1024 + 64);
      assert.equal(b.buffer, memory);
      assert.equal(b.byteOffset % (64 * 1024), 0);
      b.fill(i + 1);
    }
    // Filling one never touched another.
    for (const [i, b] of buffers.entries()) assert.ok(b.every((x) => x === i + 1));
  });

  it('falls back to plain buffers where WebAssembly is missing', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly');
    assert.ok(saved);
    Reflect.deleteProperty(globalThis, 'WebAssembly');
    try {
      const buffers = alignedBuffers(2, 100);
      assert.deepEqual(
        buffers.map((b) => [b.byteLength, b.byteOffset, b.buffer.byteLength]),
        [
          [100, 0, 100],
          [100, 0, 100],
        ],
      );
      assert.equal(alignedBuffer(7).byteLength, 7);
    } finally {
      Object.defineProperty(globalThis, 'WebAssembly', saved);
    }
  });
});
