import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MemorySource } from '../../../src/core/byte-source.js';
import { FormatError } from '../../../src/core/errors.js';
import { makeLimits } from '../../../src/core/limits.js';
import { decodeTorchTar, readTarArchive } from '../../../src/formats/tar/index.js';

const RUNS = Number(process.env.TORCHWARD_FUZZ_RUNS ?? 300);
const limits = makeLimits();
const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'tar', path)));

/** The error code (thrown or returned after some members), or 'ok'. */
async function outcome(bytes: Uint8Array, l = limits): Promise<string> {
  try {
    const source = new MemorySource(bytes);
    const tar = await readTarArchive(source, l);
    const legacy = await decodeTorchTar(source, tar.members, { limits: l, maxEntries: 1000 });
    return tar.error?.code ?? legacy.decoded.error?.code ?? 'ok';
  } catch (error) {
    if (error instanceof FormatError) return error.code;
    throw error;
  }
}

const setField = (b: Uint8Array, at: number, text: string): void => {
  b.set(new TextEncoder().encode(text), at);
};
/** Rewrites a header's checksum after an edit. */
const fixChecksum = (b: Uint8Array, header: number): void => {
  b.fill(0x20, header + 148, header + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += b[header + i] ?? 0;
  setField(b, header + 148, sum.toString(8).padStart(6, '0') + '\0 ');
};

describe('tar on malformed input', () => {
  it('truncation at every offset is TRUNCATED inside a header or member data', async () => {
    const ok = fixture('ok/ustar.tar');
    const { members } = await readTarArchive(new MemorySource(ok), limits);
    for (let n = 1; n < ok.byteLength; n++) {
      // A cut in zero padding or the end blocks leaves a tar that tarfile reads as well; a cut
      // inside a header or member data loses bytes.
      const inside = members.some((m) => n > m.headerOffset && n < m.dataOffset + m.size);
      const expected = inside ? 'TRUNCATED' : 'ok';
      assert.equal(await outcome(ok.subarray(0, n)), expected, `cut at ${n}`);
    }
    assert.equal(await outcome(fixture('bad/truncated.tar')), 'TRUNCATED');
  });

  it('bad checksums, sizes and pax records give exact codes', async () => {
    const base = fixture('ok/ustar.tar');
    let b = base.slice();
    b[0] = 0x41; // name changed, checksum not
    assert.equal(await outcome(b), 'BAD_MAGIC');
    b = base.slice();
    setField(b, 148, 'zzzzzz');
    assert.equal(await outcome(b), 'BAD_MAGIC');
    b = base.slice();
    setField(b, 124, '7777777777\0');
    fixChecksum(b, 0);
    assert.equal(await outcome(b), 'TRUNCATED');
    b = base.slice();
    setField(b, 124, '99\0');
    fixChecksum(b, 0);
    assert.equal(await outcome(b), 'BAD_LENGTH');
    b = base.slice();
    b.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 124);
    fixChecksum(b, 0);
    assert.equal(await outcome(b), 'BAD_LENGTH');
    b = base.slice();
    b.set([0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 124);
    fixChecksum(b, 0);
    assert.equal(await outcome(b), 'BAD_LENGTH');
    // A later bad header ends the list; the members before it stand.
    b = base.slice();
    b[512] = 0x41;
    const tar = await readTarArchive(new MemorySource(b), limits);
    assert.equal(tar.error?.code, 'BAD_MAGIC');
    assert.equal(tar.members.length, 1);
    const pax = fixture('ok/pax-longname.tar').slice();
    setField(pax, 512, 'x');
    assert.equal(await outcome(pax), 'BAD_STRUCTURE');
    assert.equal(await outcome(base, makeLimits({ maxEntries: 2 })), 'LIMIT_EXCEEDED');
  });

  it('legacy torch tar: lying counts and sizes', async () => {
    const ok = fixture('ok/legacy-torch.tar');
    assert.equal(await outcome(ok), 'ok');
    const evil = fixture('evil/c10-legacy-torch-evil.tar');
    assert.equal(await outcome(evil), 'ok');
  });

  it('arbitrary bytes and mutations parse or throw FormatError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 1600 }), async (bytes) => {
        await outcome(bytes);
      }),
      { numRuns: RUNS },
    );
    const samples = ['ok/gnu-longname.tar', 'ok/pax-longname.tar', 'ok/legacy-torch.tar'].map(
      fixture,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...samples),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        async (sample, edits) => {
          const b = sample.slice();
          for (const [pos, value] of edits) b[pos % 3072] = value;
          for (let h = 0; h < 3072; h += 512)
            if (edits.some(([p]) => p % 3072 >= h && p % 3072 < h + 512)) fixChecksum(b, h);
          await outcome(b);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
