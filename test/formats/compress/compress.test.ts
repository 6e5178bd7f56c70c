import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeLimits } from '../../../src/core/limits.js';
import { decompress, type Compression } from '../../../src/formats/compress/index.js';

const limits = makeLimits();
const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'compress', path)));

/** What Python's own decoder makes of a fixture (the oracle). */
function pythonDecode(path: string, how: string): Uint8Array {
  const script = `
import sys, gzip, bz2, lzma, zlib, io
data = open(sys.argv[1], 'rb').read()
how = sys.argv[2]
if how == 'gzip': out = gzip.decompress(data)
elif how == 'bz2': out = bz2.decompress(data)
elif how in ('xz', 'lzma'): out = lzma.decompress(data)
elif how == 'zlib': out = zlib.decompress(data)
elif how == 'joblib-zf':
    from joblib.numpy_pickle_compat import read_zfile
    out = read_zfile(io.BytesIO(data))
elif how == 'lz4':
    import subprocess
    out = subprocess.run(['/usr/bin/lz4', '-d', '-c', sys.argv[1]], check=True, stdout=subprocess.PIPE).stdout
sys.stdout.buffer.write(out)
`;
  const r = spawnSync('/usr/bin/python3', [
    '-c',
    script,
    join('test', 'fixtures', 'compress', path),
    how,
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  return new Uint8Array(r.stdout);
}

const CASES: [string, Compression][] = [
  ['ok/pickle.gz', 'gzip'],
  ['ok/multi-member.gz', 'gzip'],
  ['ok/pickle.bz2', 'bz2'],
  ['ok/pickle.xz', 'xz'],
  ['ok/pickle.lzma', 'lzma'],
  ['ok/pickle.zlib', 'zlib'],
  ['ok/pickle.lz4', 'lz4'],
  ['ok/pickle-nochecksum.lz4', 'lz4'],
  ['ok/joblib-legacy.zf', 'joblib-zf'],
  ['ok/joblib-zlib.z', 'zlib'],
  ['ok/joblib-gzip.gz', 'gzip'],
  ['ok/joblib-bz2.bz2', 'bz2'],
  ['ok/joblib-xz.xz', 'xz'],
  ['ok/joblib-lzma.lzma', 'lzma'],
  ['evil/evil.pkl.gz', 'gzip'],
  ['evil/evil.pkl.xz', 'xz'],
];

describe('decompressors agree with Python, gzip/bz2/lzma/zlib/joblib and the lz4 CLI', () => {
  for (const [path, kind] of CASES) {
    it(`${kind}: ${path}`, async () => {
      const budget = { inflatedBytes: 0 };
      const out = await decompress(kind, fixture(path), limits, budget);
      assert.deepEqual(out, pythonDecode(path, kind === 'lzma' || kind === 'xz' ? 'xz' : kind));
      assert.equal(budget.inflatedBytes, out.byteLength);
    });
  }

  it('decodes larger lz4 and lzma streams written by the real tools (matches, long lengths)', async () => {
    const text = new TextEncoder().encode(
      Array.from({ length: 4000 }, (_, i) => `line ${i % 97} ${'ab'.repeat(i % 13)}\n`).join(''),
    );
    const lz4 = spawnSync('/usr/bin/lz4', ['-c', '-q', '-9'], { input: text });
    assert.deepEqual(
      await decompress('lz4', new Uint8Array(lz4.stdout), limits, { inflatedBytes: 0 }),
      text,
    );
    const lzma = spawnSync('/usr/bin/lzma', ['-c', '-9'], { input: text });
    assert.deepEqual(
      await decompress('lzma', new Uint8Array(lzma.stdout), limits, { inflatedBytes: 0 }),
      text,
    );
    const zeros = new Uint8Array(3_000_000);
    const lzmaZeros = spawnSync('/usr/bin/lzma', ['-c'], { input: zeros });
    // 3 MB of zeros pack past the default 1000:1 ratio: allow it here.
    const loose = makeLimits({ maxInflateRatio: 100_000 });
    assert.deepEqual(
      await decompress('lzma', new Uint8Array(lzmaZeros.stdout), loose, { inflatedBytes: 0 }),
      zeros,
    );
  });

  it('caps output: bombs stop at the limit, before allocating past it', async () => {
    const bomb = fixture('evil/gzip-bomb.gz');
    await assert.rejects(
      decompress('gzip', bomb, makeLimits({ maxInflatedBytes: 1_000_000 }), { inflatedBytes: 0 }),
      {
        code: 'LIMIT_EXCEEDED',
      },
    );
    await assert.rejects(
      decompress('gzip', bomb, makeLimits({ maxInflateRatio: 10 }), { inflatedBytes: 0 }),
      {
        code: 'LIMIT_EXCEEDED',
      },
    );
    await assert.rejects(
      decompress('gzip', bomb, makeLimits({ maxTotalInflatedBytes: 1000 }), {
        inflatedBytes: 1000,
      }),
      { code: 'LIMIT_EXCEEDED' },
    );
    const zeros = new Uint8Array(5_000_000);
    for (const [kind, tool] of [
      ['bz2', ['/usr/bin/bzip2', '-c']],
      ['xz', ['/usr/bin/xz', '-c']],
      ['lzma', ['/usr/bin/lzma', '-c']],
      ['lz4', ['/usr/bin/lz4', '-c', '-q']],
    ] as const) {
      const packed = new Uint8Array(spawnSync(tool[0], tool.slice(1), { input: zeros }).stdout);
      await assert.rejects(
        decompress(kind, packed, makeLimits({ maxInflatedBytes: 1_000_000 }), { inflatedBytes: 0 }),
        { code: 'LIMIT_EXCEEDED' },
        kind,
      );
    }
  });
});
