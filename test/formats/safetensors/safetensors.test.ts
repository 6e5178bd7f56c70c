import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemorySource } from '../../../src/core/byte-source.js';
import { makeLimits } from '../../../src/core/limits.js';
import {
  parseSafetensorsHeader,
  parseStrictJson,
  readSafetensorsHeader,
} from '../../../src/formats/safetensors/index.js';

const limits = makeLimits();
const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'safetensors', path)));

/** Builds a file from a raw header string and data, as the spec lays it out. */
function file(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.byteLength), true);
  out.set(h, 8);
  out.set(data, 8 + h.byteLength);
  return out;
}
const code = (bytes: Uint8Array): string => {
  try {
    parseSafetensorsHeader(bytes, limits);
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('safetensors header validation (reference §7)', () => {
  it('accepts spec-built files and returns tensors in offset order', async () => {
    const h = await readSafetensorsHeader(
      new MemorySource(fixture('ok/two-tensors.safetensors')),
      limits,
    );
    assert.deepEqual(
      h.tensors.map((t) => [t.name, t.dtype, t.shape, t.dataOffsets, t.byteLength]),
      [
        ['a', 'F32', [2, 2], [0, 16], 16],
        ['b', 'I64', [1], [16, 24], 8],
      ],
    );
    assert.equal(h.tensors[0]?.fileOffset, h.dataStart);
    assert.deepEqual([...(h.metadata ?? [])], [['format', 'pt']]);
    for (const name of ['empty', 'scalar-and-zero', 'sub-byte-f4', 'leading-whitespace']) {
      assert.equal(code(fixture(`ok/${name}.safetensors`)), 'ok', name);
    }
  });

  it('reads only the prefix and the header from a source', async () => {
    const bytes = file(
      '{"a":{"dtype":"U8","shape":[1000000],"data_offsets":[0,1000000]}}',
      new Uint8Array(1_000_000),
    );
    const reads: number[] = [];
    const inner = new MemorySource(bytes);
    const h = await readSafetensorsHeader(
      { size: inner.size, read: (o, n) => (reads.push(n), inner.read(o, n)) },
      limits,
    );
    assert.equal(h.tensors[0]?.byteLength, 1_000_000);
    assert.ok(
      reads.every((n) => n < 100),
      String(reads),
    );
  });

  it('rejects the huggingface attack files with the exact code', () => {
    assert.equal(code(fixture('bad/attempt1-prefix-too-large.safetensors')), 'LIMIT_EXCEEDED');
    assert.equal(code(fixture('bad/attempt2-header-too-large.safetensors')), 'LIMIT_EXCEEDED');
    assert.equal(code(fixture('bad/attempt3-overlapping.safetensors')), 'BAD_STRUCTURE');
    assert.equal(code(fixture('bad/duplicate-key.safetensors')), 'BAD_STRUCTURE');
    assert.equal(code(fixture('bad/trailing-bytes.safetensors')), 'BAD_LENGTH');
    assert.equal(code(fixture('bad/shape-overflow.safetensors')), 'BAD_LENGTH');
    assert.equal(code(fixture('bad/bad-utf8.safetensors')), 'BAD_UTF8');
    assert.equal(code(fixture('bad/metadata-not-string.safetensors')), 'BAD_STRUCTURE');
    assert.equal(code(fixture('bad/unknown-dtype.safetensors')), 'BAD_VALUE');
    assert.equal(code(fixture('bad/gap.safetensors')), 'BAD_STRUCTURE');
  });

  it('follows the tensor.rs vectors', () => {
    assert.equal(code(new Uint8Array(7)), 'TRUNCATED'); // HeaderTooSmall
    const tooLong = file('{}');
    new DataView(tooLong.buffer).setBigUint64(0, 3n, true);
    assert.equal(code(tooLong), 'BAD_LENGTH'); // InvalidHeaderLength
    assert.equal(code(file('\t\n{}')), 'ok'); // leading whitespace, on purpose in the crate
    assert.equal(code(file('{}   ')), 'ok'); // trailing space padding
    assert.equal(code(file('[]')), 'BAD_STRUCTURE');
    assert.equal(
      code(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', new Uint8Array(4))),
      'BAD_LENGTH',
    ); // TensorInvalidInfo
    assert.equal(
      code(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(3))),
      'BAD_LENGTH',
    ); // MetadataIncompleteBuffer
    assert.equal(
      code(file('{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', new Uint8Array(2))),
      'BAD_LENGTH',
    ); // MisalignedSlice
    assert.equal(
      code(file('{"a":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[0,3]}}', new Uint8Array(3))),
      'ok',
    );
    assert.equal(code(file('{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}')), 'BAD_VALUE');
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}', new Uint8Array(1))),
      'BAD_VALUE',
    );
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[1e0],"data_offsets":[0,1]}}', new Uint8Array(1))),
      'BAD_VALUE',
    );
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,0]}}')),
      'BAD_VALUE',
    );
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}}', new Uint8Array(1))),
      'BAD_STRUCTURE',
    );
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}}', new Uint8Array(1))),
      'BAD_STRUCTURE',
    );
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[1]}}', new Uint8Array(1))),
      'BAD_STRUCTURE',
    );
    assert.equal(
      code(file('{"a":{"shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1))),
      'BAD_STRUCTURE',
    );
    assert.equal(
      code(file('{"a":{"dtype":"U8","data_offsets":[0,1]}}', new Uint8Array(1))),
      'BAD_STRUCTURE',
    );
    assert.equal(code(file('{"a":1}')), 'BAD_STRUCTURE');
    assert.equal(code(file('{"__metadata__":[]}')), 'BAD_STRUCTURE');
    // Extra keys inside an entry are ignored, as the crate ignores them.
    assert.equal(
      code(
        file('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":null}}', new Uint8Array(1)),
      ),
      'ok',
    );
    // A 2^53+ dimension is refused as over-limit rather than rounded.
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[9007199254740993,0],"data_offsets":[0,0]}}')),
      'LIMIT_EXCEEDED',
    );
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}')),
      'BAD_LENGTH',
    );
    assert.equal(
      code(file('{"a":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}', new Uint8Array(1))),
      'ok',
    ); // rank 0
  });

  it('caps the tensor count and header size by Limits', () => {
    const bytes = file(
      '{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}',
    );
    assert.equal(code(bytes), 'ok');
    assert.throws(() => parseSafetensorsHeader(bytes, makeLimits({ maxEntries: 1 })), {
      code: 'LIMIT_EXCEEDED',
    });
    assert.throws(() => parseSafetensorsHeader(bytes, makeLimits({ maxHeaderBytes: 16 })), {
      code: 'LIMIT_EXCEEDED',
    });
  });
});

describe('strict JSON', () => {
  it('parses every kind of value and keeps exact numbers', () => {
    const v = parseStrictJson(
      ' {"a":[true,false,null,-0.5e+3,"\\u00e9\\ud83d\\ude00\\n\\/"],"b":{}} ',
    );
    if (v.kind !== 'object') throw new Error('not an object');
    const a = v.entries.get('a');
    if (a?.kind !== 'array') throw new Error('not an array');
    assert.deepEqual(
      a.items.map((i) => i.kind),
      ['boolean', 'boolean', 'null', 'number', 'string'],
    );
    const [, , , num, str] = a.items;
    assert.equal(num?.kind === 'number' ? num.text : '', '-0.5e+3');
    assert.equal(str?.kind === 'string' ? str.value : '', '\u00e9\u{1f600}\n/');
    assert.equal(v.entries.get('b')?.kind, 'object');
  });

  it('rejects what serde_json rejects, with the exact code', () => {
    const bad = (s: string): string => {
      try {
        parseStrictJson(s);
        return 'ok';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    for (const s of [
      '',
      '{',
      '{"a"}',
      '{"a":1,}',
      '[1,]',
      '01',
      '1.',
      '-',
      '"\\x"',
      '"\u0001"',
      'tru',
      '{} x',
      '"\\ud800"',
      '"\\udc00"',
      '"\\ud800\\u0041"',
      '"\\u12"',
      '{1:2}',
      '[1 2]',
      '"abc',
    ]) {
      assert.equal(bad(s), 'BAD_JSON', s);
    }
    assert.equal(bad('{"a":1,"a":2}'), 'BAD_STRUCTURE');
    assert.equal(bad('['.repeat(129) + ']'.repeat(129)), 'LIMIT_EXCEEDED');
    assert.equal(bad('['.repeat(128) + ']'.repeat(128)), 'ok');
  });
});
