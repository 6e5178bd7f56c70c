import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemorySource, readAll } from '../../../src/core/byte-source.js';
import { FormatError } from '../../../src/core/errors.js';
import { makeLimits } from '../../../src/core/limits.js';
import {
  locateZipMember,
  openZipMember,
  parseZipDirectory,
} from '../../../src/formats/zip/index.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 300);
const limits = makeLimits({ maxTotalInflatedBytes: 64 * 1024 * 1024 });
const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'zip', path)));

/** Parses and opens every member; returns the FormatError code or 'ok'. */
async function outcome(bytes: Uint8Array): Promise<string> {
  const source = new MemorySource(bytes);
  try {
    const zip = await parseZipDirectory(source, limits);
    const budget = { inflatedBytes: 0 };
    for (const entry of zip.entries) {
      const opened = await openZipMember(
        source,
        await locateZipMember(source, entry),
        limits,
        budget,
      );
      await readAll(opened.source);
    }
    return 'ok';
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw error;
  }
}

const u32 = (b: Uint8Array, at: number, v: number): void => {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
};
const u16 = (b: Uint8Array, at: number, v: number): void => {
  new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);
};
const eocdOf = (b: Uint8Array): number => {
  for (let i = b.byteLength - 22; i >= 0; i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 5 && b[i + 3] === 6) return i;
  }
  throw new Error('no eocd');
};

describe('zip reader on malformed input', () => {
  it('truncation at every offset gives a FormatError, never anything else', async () => {
    const ok = fixture('ok/plain.zip');
    for (let n = 0; n < ok.byteLength; n++) {
      const code = await outcome(ok.slice(0, n));
      // Cutting the end record removes the signature (BAD_MAGIC) or leaves it short (TRUNCATED).
      assert.ok(['BAD_MAGIC', 'TRUNCATED', 'BAD_LENGTH'].includes(code), `cut at ${n}: ${code}`);
    }
  });

  it('names the exact code of each corruption', async () => {
    assert.equal(await outcome(fixture('bad/truncated.zip')), 'BAD_MAGIC');
    assert.equal(await outcome(fixture('bad/no-central-directory.zip')), 'BAD_MAGIC');
    assert.equal(await outcome(new Uint8Array(10)), 'TRUNCATED');
    assert.equal(await outcome(new Uint8Array(100)), 'BAD_MAGIC');

    const base = fixture('ok/plain.zip');
    const at = eocdOf(base);
    let b = base.slice();
    u32(b, at + 16, 0xfffffff0); // central directory offset past the end
    assert.equal(await outcome(b), 'BAD_LENGTH');
    b = base.slice();
    u16(b, at + 8, 60000); // entry counts the directory cannot hold
    u16(b, at + 10, 60000);
    assert.equal(await outcome(b), 'BAD_LENGTH');
    b = base.slice();
    u16(b, at + 4, 1); // another disk
    assert.equal(await outcome(b), 'UNSUPPORTED_FEATURE');
    b = base.slice();
    const cd = new DataView(b.buffer).getUint32(at + 16, true);
    u32(b, cd, 0x12345678); // central record signature
    assert.equal(await outcome(b), 'BAD_MAGIC');
    b = base.slice();
    u32(b, cd + 42, 0x7ffffff0); // local header offset past the end
    assert.equal(await outcome(b), 'TRUNCATED');
    b = base.slice();
    u32(b, 0, 0x12345678); // local header signature
    assert.equal(await outcome(b), 'BAD_MAGIC');
    b = base.slice();
    u16(b, cd + 10, 12); // bzip2 method: torch cannot read it
    assert.equal(await outcome(b), 'UNSUPPORTED_FEATURE');
    b = base.slice();
    u32(b, cd + 20, 0x7ffffff0); // huge compressed size
    assert.equal(await outcome(b), 'TRUNCATED');
  });

  it('reports a corrupt deflate stream as BAD_STRUCTURE', async () => {
    const b = fixture('ok/plain.zip').slice();
    // a.txt is deflated; its data starts after the 30-byte header and the 5-byte name.
    b[35] = 0xff;
    b[36] = 0xff;
    assert.equal(await outcome(b), 'BAD_STRUCTURE');
  });

  it('zip64 records with lies fail with the exact code', async () => {
    const base = fixture('ok/zip64.zip');
    const at = eocdOf(base);
    let b = base.slice();
    u32(b, at - 20 + 8, 0x7ffffff0); // zip64 end record offset past the locator
    assert.equal(await outcome(b), 'BAD_LENGTH');
    b = base.slice();
    const z64 = new DataView(b.buffer).getUint32(at - 20 + 8, true);
    u32(b, z64, 0); // zip64 end record signature
    assert.equal(await outcome(b), 'BAD_MAGIC');
    b = base.slice();
    u32(b, at - 20 + 4, 3); // zip64 end record on another disk
    assert.equal(await outcome(b), 'UNSUPPORTED_FEATURE');
  });

  it('arbitrary bytes parse or throw FormatError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        await outcome(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('byte flips, insertions and truncations of valid archives parse or throw FormatError', async () => {
    const samples = [
      'ok/plain.zip',
      'ok/zip64.zip',
      'ok/torch-deflated.pt',
      'evil/c7-duplicate.pt',
    ].map(fixture);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(),
        async (sample, edits, cut) => {
          let b = sample.slice();
          for (const [pos, value, insert] of edits) {
            const at = pos % b.byteLength;
            if (insert) b = Uint8Array.from([...b.subarray(0, at), value, ...b.subarray(at)]);
            else b[at] = value;
          }
          if (cut % 4 === 0) b = b.subarray(0, cut % (b.byteLength + 1));
          await outcome(b);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
