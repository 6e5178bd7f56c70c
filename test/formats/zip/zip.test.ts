import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemorySource, readAll } from '../../../src/core/byte-source.js';
import { makeLimits } from '../../../src/core/limits.js';
import {
  checkCrc,
  checkCrcOfSource,
  isTraversalName,
  locateZipMember,
  openZipMember,
  parseZipDirectory,
  type ArchiveAnomaly,
} from '../../../src/formats/zip/index.js';

const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'zip', path)));
const limits = makeLimits();
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Opens every member as torch would and collects all anomalies, directory ones first. */
async function readZip(bytes: Uint8Array): Promise<{
  names: string[];
  contents: Map<string, Uint8Array>;
  anomalies: ArchiveAnomaly[];
}> {
  const source = new MemorySource(bytes);
  const zip = await parseZipDirectory(source, limits);
  const anomalies = [...zip.anomalies];
  const contents = new Map<string, Uint8Array>();
  for (const entry of zip.entries) {
    const located = await locateZipMember(source, entry);
    anomalies.push(...located.anomalies);
    const opened = await openZipMember(source, located, limits, { inflatedBytes: 0 });
    anomalies.push(...opened.anomalies);
    const data = await readAll(opened.source);
    if (entry.method === 0) {
      const crc = await checkCrcOfSource(entry, opened.source);
      // The windowed check and the whole-buffer check agree.
      assert.deepEqual(crc, checkCrc(entry, data));
      if (crc !== undefined) anomalies.push(crc);
    }
    contents.set(`${entry.index}:${entry.name}`, data);
  }
  return { names: zip.entries.map((e) => e.name), contents, anomalies };
}

const kinds = (anomalies: readonly ArchiveAnomaly[]): string[] =>
  anomalies.map((a) => `${a.kind}:${a.member}`);

describe('zip central directory reader (python zipfile and torch writers)', () => {
  it('reads stored, deflated and directory members of a zipfile archive', async () => {
    const zip = await readZip(fixture('ok/plain.zip'));
    assert.deepEqual(zip.names, ['a.txt', 'dir/', 'dir/b.bin']);
    assert.equal(text(zip.contents.get('0:a.txt') ?? new Uint8Array()), 'hello\n');
    assert.deepEqual(zip.contents.get('2:dir/b.bin'), new Uint8Array(100));
    assert.deepEqual(zip.anomalies, []);
  });

  it('reads zip64 end records and extra fields', async () => {
    const source = new MemorySource(fixture('ok/zip64.zip'));
    const zip = await parseZipDirectory(source, limits);
    assert.equal(zip.zip64, true);
    assert.deepEqual(
      zip.entries.map((e) => e.name),
      ['a.pkl'],
    );
    const all = await readZip(fixture('ok/zip64.zip'));
    assert.equal(all.contents.get('0:a.pkl')?.[0], 0x80);
    assert.deepEqual(all.anomalies, []);
  });

  it('reads an empty archive', async () => {
    const zip = await parseZipDirectory(new MemorySource(fixture('ok/empty.zip')), limits);
    assert.deepEqual(zip.entries, []);
  });

  it('reads torch checkpoints, stored and re-packed deflated, with identical content', async () => {
    const stored = await readZip(fixture('ok/torch-state-dict.pt'));
    const deflated = await readZip(fixture('ok/torch-deflated.pt'));
    assert.ok(
      stored.names.includes('torch-state-dict/data.pkl') ||
        stored.names.some((n) => n.endsWith('/data.pkl')),
    );
    assert.deepEqual(stored.anomalies, []);
    assert.deepEqual(deflated.anomalies, []);
    assert.deepEqual([...deflated.contents.values()], [...stored.contents.values()]);
  });

  it('C3: reports a local/central name mismatch and reads the central name', async () => {
    const zip = await readZip(fixture('evil/c3-name-mismatch.pt'));
    assert.deepEqual(kinds(zip.anomalies), ['name-mismatch:archive/data.pkl']);
    assert.equal(zip.contents.get('0:archive/data.pkl')?.[0], 0x80);
  });

  it('C4: reports flag bits 0x1, 0x20 and 0x40 and still reads the member', async () => {
    assert.deepEqual(kinds((await readZip(fixture('evil/c4-flag-0x1.pt'))).anomalies), [
      'encrypted:archive/data.pkl',
    ]);
    assert.deepEqual(kinds((await readZip(fixture('evil/c4-flag-0x20.pt'))).anomalies), [
      'flag-bits:archive/data.pkl',
    ]);
    const z40 = await readZip(fixture('evil/c4-flag-0x40.pt'));
    assert.deepEqual(kinds(z40.anomalies), ['encrypted:archive/data.pkl']);
    assert.equal(z40.contents.get('0:archive/data.pkl')?.[0], 0x80);
  });

  it('a really encrypted member (7-Zip ZipCrypto) is reported once, not as CRC or size errors', async () => {
    const zip = await readZip(fixture('evil/encrypted-zipcrypto.zip'));
    assert.deepEqual(kinds(zip.anomalies), ['encrypted:data.pkl']);
    // What is read is ciphertext: 12 bytes of encryption header more than the plain member.
    assert.notEqual(zip.contents.get('0:data.pkl')?.[0], 0x80);
  });

  it('C5: reports a CRC mismatch without refusing the member', async () => {
    const zip = await readZip(fixture('evil/c5-bad-crc.pt'));
    assert.deepEqual(kinds(zip.anomalies), ['crc-mismatch:archive/data.pkl']);
  });

  it('C6: inflates a deflated data.pkl', async () => {
    const zip = await readZip(fixture('evil/c6-deflated.pt'));
    assert.match(text(zip.contents.get('0:archive/data.pkl') ?? new Uint8Array()), /posix\nsystem/);
    assert.deepEqual(zip.anomalies, []);
  });

  it('C7: reports duplicate names and keeps both records', async () => {
    const zip = await readZip(fixture('evil/c7-duplicate.pt'));
    assert.deepEqual(kinds(zip.anomalies), ['duplicate-name:archive/data.pkl']);
    assert.equal(zip.names.filter((n) => n === 'archive/data.pkl').length, 2);
  });

  it('reports path traversal names', async () => {
    const zip = await readZip(fixture('evil/path-traversal.zip'));
    assert.deepEqual(kinds(zip.anomalies), [
      'path-traversal:../../etc/evil.txt',
      'path-traversal:/abs.txt',
    ]);
    assert.equal(isTraversalName('a/b/c.pkl'), false);
    assert.equal(isTraversalName('a\\..\\..\\x'), true);
    assert.equal(isTraversalName('C:x'), true);
    assert.equal(isTraversalName('a..b/c'), false);
  });

  it('refuses an honest deflate bomb by its declared ratio before inflating', async () => {
    const source = new MemorySource(fixture('evil/bomb-ratio.zip'));
    const zip = await parseZipDirectory(source, limits);
    const [entry] = zip.entries;
    assert.ok(entry);
    const located = await locateZipMember(source, entry);
    const budget = { inflatedBytes: 0 };
    await assert.rejects(
      openZipMember(source, located, makeLimits({ maxInflateRatio: 100 }), budget),
      { code: 'LIMIT_EXCEEDED' },
    );
    assert.equal(budget.inflatedBytes, 0);
    await assert.rejects(
      openZipMember(source, located, makeLimits({ maxInflatedBytes: 1_000_000 }), budget),
      { code: 'LIMIT_EXCEEDED' },
    );
    await assert.rejects(
      openZipMember(source, located, makeLimits({ maxTotalInflatedBytes: 10_000_000 }), budget),
      { code: 'LIMIT_EXCEEDED' },
    );
    // Zeros deflate at ~1028:1, just over the default ratio; a looser ratio inflates them.
    await assert.rejects(openZipMember(source, located, limits, budget), {
      code: 'LIMIT_EXCEEDED',
    });
    const opened = await openZipMember(
      source,
      located,
      makeLimits({ maxInflateRatio: 2000 }),
      budget,
    );
    assert.equal(opened.source.size, 60_000_000);
    assert.equal(budget.inflatedBytes, 60_000_000);
  });

  it('streams a large deflated member: size and CRC checked, whole member inflated only on demand', async () => {
    // numpy writes a 24 MB array deflated (np.savez_compressed).
    const script = `
import io, sys, numpy as np
buf = io.BytesIO()
np.savez_compressed(buf, a=(np.arange(6_000_000) % 251).astype('<f4'))
sys.stdout.buffer.write(buf.getvalue())
`;
    const r = spawnSync('/usr/bin/python3', ['-c', script], { maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, r.stderr.toString());
    const inner = new MemorySource(new Uint8Array(r.stdout));
    let readBytes = 0;
    const spy = {
      size: inner.size,
      read: (offset: number, length: number) => {
        readBytes += Math.min(length, Math.max(0, inner.size - offset));
        return inner.read(offset, length);
      },
    };
    const zip = await parseZipDirectory(spy, limits);
    const [entry] = zip.entries;
    assert.ok(entry?.method === 8);
    const budget = { inflatedBytes: 0 };
    const opened = await openZipMember(spy, await locateZipMember(spy, entry), limits, budget);
    assert.deepEqual(opened.anomalies, []);
    assert.equal(opened.source.size, entry.uncompressedSize);
    assert.equal(budget.inflatedBytes, entry.uncompressedSize);
    // The header comes from the kept prefix: the compressed bytes were read once, by the stream.
    const before = readBytes;
    const head = await opened.source.read(0, 128);
    assert.equal(text(head.subarray(1, 6)), 'NUMPY');
    assert.equal(readBytes, before);
    assert.ok(before < inner.size + 100_000);
    // A read past the prefix inflates the whole member once.
    const tail = await opened.source.read(entry.uncompressedSize - 4, 4);
    assert.equal(tail.byteLength, 4);
    assert.ok(readBytes >= before + entry.compressedSize);
    assert.equal(budget.inflatedBytes, entry.uncompressedSize);
    // A CRC lie is found by the stream too.
    const bytes = new Uint8Array(r.stdout);
    new DataView(bytes.buffer).setUint32(entry.centralOffset + 16, entry.crc32 ^ 1, true);
    const lying = new MemorySource(bytes);
    const z2 = await parseZipDirectory(lying, limits);
    const e2 = z2.entries[0];
    assert.ok(e2 !== undefined);
    const o2 = await openZipMember(lying, await locateZipMember(lying, e2), limits, {
      inflatedBytes: 0,
    });
    assert.deepEqual(kinds(o2.anomalies), ['crc-mismatch:a.npy']);
    // A stream cut short (the directory declares half the compressed bytes) is TRUNCATED.
    const cut = new Uint8Array(r.stdout);
    new DataView(cut.buffer).setUint32(entry.centralOffset + 20, entry.compressedSize >>> 1, true);
    const short = new MemorySource(cut);
    const z4 = await parseZipDirectory(short, limits);
    const e4 = z4.entries[0];
    assert.ok(e4 !== undefined);
    await assert.rejects(
      openZipMember(short, await locateZipMember(short, e4), limits, { inflatedBytes: 0 }),
      { code: 'TRUNCATED' },
    );
    // A member that inflates past its declared size is stopped by the stream's cap.
    new DataView(bytes.buffer).setUint32(entry.centralOffset + 24, 17_000_000, true);
    const liar = new MemorySource(bytes);
    const z3 = await parseZipDirectory(liar, limits);
    const e3 = z3.entries[0];
    assert.ok(e3 !== undefined);
    await assert.rejects(
      openZipMember(liar, await locateZipMember(liar, e3), limits, { inflatedBytes: 0 }),
      { code: 'LIMIT_EXCEEDED' },
    );
  });

  it('caps the entry count and the directory size', async () => {
    const source = new MemorySource(fixture('ok/plain.zip'));
    await assert.rejects(parseZipDirectory(source, makeLimits({ maxEntries: 2 })), {
      code: 'LIMIT_EXCEEDED',
    });
    await assert.rejects(parseZipDirectory(source, makeLimits({ maxHeaderBytes: 10 })), {
      code: 'LIMIT_EXCEEDED',
    });
  });

  it('reads the tail window and the directory, nothing else', async () => {
    const bytes = fixture('ok/plain.zip');
    const reads: [number, number][] = [];
    const inner = new MemorySource(bytes);
    const spy = {
      size: inner.size,
      read: (offset: number, length: number) => {
        reads.push([offset, length]);
        return inner.read(offset, length);
      },
    };
    const zip = await parseZipDirectory(spy, limits);
    const first = zip.entries[0]?.centralOffset ?? -1;
    assert.deepEqual(reads, [
      [0, bytes.byteLength],
      [first, zip.eocdOffset - first],
    ]);
  });
});
