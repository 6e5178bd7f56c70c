import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { makeLimits } from '../../../src/core/limits.js';
import { decompress, type Compression } from '../../../src/formats/compress/index.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 200);
const limits = makeLimits({ maxInflatedBytes: 8 * 1024 * 1024 });
const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'compress', path)));

async function outcome(kind: Compression, bytes: Uint8Array): Promise<string> {
  try {
    await decompress(kind, bytes, limits, { inflatedBytes: 0 });
    return 'ok';
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw error;
  }
}

const SAMPLES: [Compression, string][] = [
  ['gzip', 'ok/pickle.gz'],
  ['bz2', 'ok/pickle.bz2'],
  ['xz', 'ok/pickle.xz'],
  ['lzma', 'ok/pickle.lzma'],
  ['zlib', 'ok/pickle.zlib'],
  ['lz4', 'ok/pickle.lz4'],
  ['joblib-zf', 'ok/joblib-legacy.zf'],
];

describe('decompressors on malformed input', () => {
  it('truncation at every offset is TRUNCATED', async () => {
    for (const [kind, path] of SAMPLES) {
      const ok = fixture(path);
      for (let n = 0; n < ok.byteLength; n++) {
        assert.equal(await outcome(kind, ok.subarray(0, n)), 'TRUNCATED', `${kind} cut at ${n}`);
      }
    }
    assert.equal(await outcome('gzip', fixture('bad/truncated.gz')), 'TRUNCATED');
  });

  it('bad magic', async () => {
    const junk = new TextEncoder().encode('this is not compressed at all, not even a little');
    assert.equal(await outcome('bz2', junk), 'BAD_MAGIC');
    assert.equal(await outcome('xz', junk), 'BAD_MAGIC');
    assert.equal(await outcome('lz4', junk), 'BAD_MAGIC');
    assert.equal(await outcome('joblib-zf', junk), 'BAD_MAGIC');
    assert.equal(await outcome('gzip', junk), 'BAD_STRUCTURE');
    assert.equal(await outcome('zlib', junk), 'BAD_STRUCTURE');
    assert.equal(await outcome('lzma', junk), 'BAD_LENGTH'); // its "size" field exceeds 2^53
    assert.equal(await outcome('lzma', new Uint8Array(20).fill(0xff)), 'BAD_STRUCTURE'); // properties > 224
    assert.equal(await outcome('bz2', fixture('bad/corrupt.bz2')), 'BAD_STRUCTURE');
  });

  it('huge declared lengths are refused before decoding', async () => {
    const lzma = fixture('ok/pickle.lzma').slice();
    new DataView(lzma.buffer).setBigUint64(5, 1n << 40n, true);
    assert.equal(await outcome('lzma', lzma), 'LIMIT_EXCEEDED');
    new DataView(lzma.buffer).setBigUint64(5, 1n << 60n, true);
    assert.equal(await outcome('lzma', lzma), 'BAD_LENGTH');
    const zf = fixture('ok/joblib-legacy.zf').slice();
    zf.set(new TextEncoder().encode('0xffffffffff       '), 2);
    assert.equal(await outcome('joblib-zf', zf), 'LIMIT_EXCEEDED');
    zf.set(new TextEncoder().encode('0x10               '), 2);
    assert.equal(await outcome('joblib-zf', zf), 'LIMIT_EXCEEDED'); // more output than declared
    zf.set(new TextEncoder().encode('0x100              '), 2);
    assert.equal(await outcome('joblib-zf', zf), 'BAD_LENGTH'); // less output than declared
    zf.set(new TextEncoder().encode('0xZZ               '), 2);
    assert.equal(await outcome('joblib-zf', zf), 'BAD_STRUCTURE');
    // An lz4 block larger than the frame's block maximum.
    const lz4 = fixture('ok/pickle.lz4').slice();
    new DataView(lz4.buffer).setUint32(7, 0x7fffffff, true);
    assert.equal(await outcome('lz4', lz4), 'BAD_LENGTH');
  });

  it('lz4 frame header checks', async () => {
    const base = fixture('ok/pickle.lz4');
    let b = base.slice();
    b[4] = (b[4] ?? 0) & 0x3f; // version 0
    assert.equal(await outcome('lz4', b), 'UNSUPPORTED_VERSION');
    b = base.slice();
    b[4] = (b[4] ?? 0) | 0x01; // dictionary id
    assert.equal(await outcome('lz4', b), 'UNSUPPORTED_FEATURE');
    b = base.slice();
    b[4] = (b[4] ?? 0) | 0x02; // reserved bit
    assert.equal(await outcome('lz4', b), 'BAD_STRUCTURE');
    b = base.slice();
    b[5] = 0x00; // block size code 0
    assert.equal(await outcome('lz4', b), 'BAD_STRUCTURE');
    // A skippable frame before the real one is skipped.
    const skippable = Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3, ...base]);
    assert.equal(await outcome('lz4', skippable), 'ok');
    // A match reaching before the start of the output.
    const evilBlock = Uint8Array.from([
      0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 3, 0, 0, 0, 0x00, 0x10, 0x00, 0, 0, 0, 0,
    ]);
    assert.equal(await outcome('lz4', evilBlock), 'BAD_STRUCTURE');
  });

  it('arbitrary bytes and mutations decode or throw FormatError', async () => {
    const kinds: Compression[] = [
      'gzip',
      'bz2',
      'xz',
      'lzma',
      'zlib',
      'lz4',
      'joblib-zf',
      'deflate',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...kinds),
        fc.uint8Array({ maxLength: 256 }),
        async (kind, bytes) => {
          await outcome(kind, bytes);
        },
      ),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SAMPLES),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async ([kind, path], edits) => {
          const b = fixture(path).slice();
          for (const [pos, value] of edits) b[pos % b.byteLength] = value;
          await outcome(kind, b);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('decompressors and the time budget', () => {
  it('stop with LIMIT_EXCEEDED once the deadline has passed', async () => {
    const zeros = new Uint8Array(3_000_000);
    const loose = makeLimits({ maxInflateRatio: 1_000_000 });
    for (const [kind, tool] of [
      ['bz2', ['/usr/bin/bzip2', '-c']],
      ['xz', ['/usr/bin/xz', '-c']],
      ['lzma', ['/usr/bin/lzma', '-c']],
      ['lz4', ['/usr/bin/lz4', '-c', '-q']],
    ] as const) {
      const packed = new Uint8Array(spawnSync(tool[0], tool.slice(1), { input: zeros }).stdout);
      await assert.rejects(
        decompress(kind, packed, loose, { inflatedBytes: 0, deadline: Date.now() - 1 }),
        { code: 'LIMIT_EXCEEDED' },
        kind,
      );
      const out = await decompress(kind, packed, loose, {
        inflatedBytes: 0,
        deadline: Date.now() + 60_000,
      });
      assert.equal(out.byteLength, zeros.byteLength, kind);
    }
  });
});
