import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemorySource } from '../../../src/core/byte-source.js';
import { makeLimits } from '../../../src/core/limits.js';
import { decodeTorchTar, isTorchTar, readTarArchive } from '../../../src/formats/tar/index.js';

const limits = makeLimits();
const dir = (kind: string): string => join('test', 'fixtures', 'tar', kind);
const fixture = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(join('test', 'fixtures', 'tar', path)));

/** Python tarfile's view: [name, type, offset_data, size] per member. */
function tarfileView(path: string): unknown {
  const script = `
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    print(json.dumps([[m.name, m.type.decode() if m.type != b'\\0' else '0', m.offset_data, m.size] for m in t.getmembers()]))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('tar reader (python tarfile writer and oracle)', () => {
  for (const kind of ['ok', 'evil']) {
    for (const name of readdirSync(dir(kind)).filter((n) => n.endsWith('.tar'))) {
      it(`agrees with tarfile on ${kind}/${name}`, async () => {
        const tar = await readTarArchive(new MemorySource(fixture(`${kind}/${name}`)), limits);
        assert.equal(tar.error, undefined);
        assert.deepEqual(
          tar.members.map((m) => [m.name, m.type, m.dataOffset, m.size]),
          tarfileView(join(dir(kind), name)),
        );
      });
    }
  }

  it('reports path traversal, duplicates and special members', async () => {
    const tar = await readTarArchive(new MemorySource(fixture('evil/path-traversal.tar')), limits);
    assert.deepEqual(
      tar.anomalies.map((a) => `${a.kind}:${a.member}`),
      ['path-traversal:../evil.pkl'],
    );
  });

  it('recognises the legacy torch tar layout and reads its storages', async () => {
    const source = new MemorySource(fixture('ok/legacy-torch.tar'));
    const tar = await readTarArchive(source, limits);
    assert.equal(isTorchTar(tar.members), true);
    const scan = await decodeTorchTar(source, tar.members, { limits, maxEntries: 100 });
    assert.equal(scan.decoded.error, undefined);
    // Storage '0' (2 floats) and tensor '1' viewing it: torch resolves a pid to either.
    assert.deepEqual(
      [...scan.storages],
      [
        ['0', 8],
        ['1', 8],
      ],
    );
    assert.deepEqual(
      scan.decoded.globals.map((g) => `${g.module}.${g.name}`),
      ['torch.FloatStorage', 'torch.FloatTensor'],
    );
    const plain = await readTarArchive(new MemorySource(fixture('ok/ustar.tar')), limits);
    assert.equal(isTorchTar(plain.members), false);
  });
});
