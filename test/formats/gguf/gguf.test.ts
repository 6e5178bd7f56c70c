import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySource } from '../../../src/core/byte-source.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { parseGgufHeader, readGgufHeader } from '../../../src/formats/gguf/index.js';
import { fixture } from '../../helpers/issue4-fixtures.js';

describe('GGUF header', () => {
  it('decodes a v3 file written by the fixture writer', async () => {
    const bytes = fixture('gguf', 'ok', 'chatml.gguf');
    const h = await readGgufHeader(new MemorySource(bytes), DEFAULT_LIMITS);
    assert.equal(h.version, 3);
    assert.equal(h.alignment, 32);
    assert.deepEqual(
      h.metadata.map((e) => [e.key, e.type]),
      [
        ['general.architecture', 'string'],
        ['general.name', 'string'],
        ['general.alignment', 'uint32'],
        ['tokenizer.ggml.tokens', 'array'],
        ['tokenizer.chat_template', 'string'],
      ],
    );
    assert.deepEqual(h.metadata[3]?.value, { elementType: 'string', length: 4 });
    assert.deepEqual(
      h.tensors.map((t) => [t.name, t.dims, t.offset, t.byteSize]),
      [
        ['tok.weight', [4n, 2n], 0n, 32n],
        ['out.weight', [4n], 32n, 16n],
      ],
    );
    assert.equal(h.dataOffset % 32, 0);
    assert.equal(h.dataOffset + 48, bytes.byteLength);
    const tpl = h.metadata[4];
    assert.ok(tpl !== undefined && typeof tpl.value === 'string');
    const text = new TextDecoder().decode(bytes.subarray(tpl.valueSpan.start, tpl.valueSpan.end));
    assert.equal(text, tpl.value);
  });

  it('decodes v2', () => {
    const bytes = fixture('gguf', 'ok', 'no-template-v2.gguf');
    assert.equal(parseGgufHeader(bytes, bytes.byteLength, DEFAULT_LIMITS).version, 2);
  });

  it('reads only the header when the source is larger than the first chunk', async () => {
    // A 1 MiB first read covers this header; tensor data past it is never fetched.
    const bytes = fixture('gguf', 'ok', 'chatml.gguf');
    let maxEnd = 0;
    const inner = new MemorySource(bytes);
    const source = {
      size: bytes.byteLength,
      read(offset: number, length: number) {
        maxEnd = Math.max(maxEnd, offset + length);
        return inner.read(offset, length);
      },
    };
    await readGgufHeader(source, { ...DEFAULT_LIMITS, maxHeaderBytes: 64 * 1024 });
    assert.ok(maxEnd <= 64 * 1024);
  });

  it('grows its read window for headers longer than the first chunk', async () => {
    const bytes = fixture('gguf', 'ok', 'chatml.gguf');
    // Pretend the chunk size is tiny by lowering maxHeaderBytes below the header: LIMIT_EXCEEDED.
    await assert.rejects(
      readGgufHeader(new MemorySource(bytes), { ...DEFAULT_LIMITS, maxHeaderBytes: 100 }),
      {
        code: 'LIMIT_EXCEEDED',
      },
    );
  });

  it('rejects tensor data past the end of the file', () => {
    const bytes = fixture('gguf', 'bad', 'tensor-past-end.gguf');
    assert.throws(() => parseGgufHeader(bytes, bytes.byteLength, DEFAULT_LIMITS), {
      code: 'BAD_LENGTH',
    });
  });
});
