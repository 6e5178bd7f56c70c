import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../../../src/core/errors.js';
import { DEFAULT_LIMITS, makeLimits } from '../../../src/core/limits.js';
import { readSevenZip } from '../../../src/formats/sevenzip/index.js';
import { fixture, fuzzRuns } from '../../helpers/issue4-fixtures.js';

const MB = 1024 * 1024;
const code = async (bytes: Uint8Array, limits = DEFAULT_LIMITS, max = MB): Promise<string> => {
  try {
    await readSevenZip(bytes, limits, max);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'OK';
};

describe('7z via 7z-wasm (archives written by p7zip)', () => {
  it('lists and extracts in memory', async () => {
    const r = await readSevenZip(fixture('7z', 'ok', 'models.7z'), DEFAULT_LIMITS, MB);
    assert.equal(r.kind, 'listed');
    if (r.kind !== 'listed') return;
    assert.deepEqual(
      r.entries.map((e) => [e.path, e.isDir, e.encrypted]),
      [
        ['add.onnx', false, false],
        ['sub/chatml.gguf', false, false],
      ],
    );
    assert.deepEqual([...r.files.keys()], ['add.onnx', 'sub/chatml.gguf']);
    assert.deepEqual(r.files.get('add.onnx'), fixture('onnx', 'ok', 'add.onnx'));
    assert.equal(
      r.extractedBytes,
      fixture('onnx', 'ok', 'add.onnx').byteLength +
        fixture('gguf', 'ok', 'chatml.gguf').byteLength,
    );
    // The wasm runtime's exit handling must not leak into the process exit code.
    assert.equal(process.exitCode, undefined);
  });

  it('reports encrypted headers and encrypted members', async () => {
    assert.deepEqual(
      await readSevenZip(fixture('7z', 'bad', 'encrypted-headers.7z'), DEFAULT_LIMITS, MB),
      { kind: 'encrypted-headers' },
    );
    const r = await readSevenZip(fixture('7z', 'bad', 'encrypted-member.7z'), DEFAULT_LIMITS, MB);
    assert.equal(r.kind, 'listed');
    if (r.kind !== 'listed') return;
    assert.deepEqual(
      r.entries.map((e) => [e.path, e.encrypted]),
      [['data.pkl', true]],
    );
    assert.equal(r.files.size, 0);
  });
});

describe('7z malformed input', () => {
  it('bad magic, truncation and limits', async () => {
    const ok = fixture('7z', 'ok', 'models.7z');
    assert.equal(await code(new Uint8Array(32)), 'BAD_MAGIC');
    assert.equal(await code(fixture('7z', 'bad', 'truncated.7z')), 'BAD_STRUCTURE');
    for (let n = 6; n < ok.byteLength; n += 13)
      assert.equal(await code(ok.subarray(0, n)), 'BAD_STRUCTURE', `cut at ${n}`);
    assert.equal(await code(ok, makeLimits({ maxInputBytes: 10 })), 'LIMIT_EXCEEDED');
    assert.equal(await code(ok, makeLimits({ maxEntries: 1 })), 'LIMIT_EXCEEDED');
    assert.equal(await code(ok, DEFAULT_LIMITS, 100), 'LIMIT_EXCEEDED');
    assert.equal(await code(ok), 'OK');
  });
});

describe('7z fuzz', () => {
  it('byte flips of a real archive read or throw FormatError', async () => {
    const base = fixture('7z', 'ok', 'models.7z');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 6, max: base.byteLength - 1 }),
        fc.integer({ min: 0, max: 255 }),
        async (at, v) => {
          const b = base.slice();
          b[at] = v;
          try {
            await readSevenZip(b, DEFAULT_LIMITS, MB);
          } catch (error) {
            if (!(error instanceof FormatError)) throw error;
          }
        },
      ),
      // Each case starts a 7-Zip wasm module (~40 ms): the fuzz run is capped at 2,000 cases.
      { numRuns: Math.min(fuzzRuns(60), 2000) },
    );
    assert.equal(process.exitCode, undefined);
  });
});

describe('7z reader isolation', () => {
  it('stops at its deadline, then works again', async () => {
    const ok = fixture('7z', 'ok', 'models.7z');
    // 64 MiB of trailing bytes take far longer than 1 ms to hand to the worker.
    const padded = new Uint8Array(64 * 1024 * 1024);
    padded.set(ok);
    await assert.rejects(readSevenZip(padded, DEFAULT_LIMITS, MB, 1), { code: 'LIMIT_EXCEEDED' });
    assert.equal((await readSevenZip(ok, DEFAULT_LIMITS, MB)).kind, 'listed');
  });
});
