import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// Issue 12 item 8: a file torchward's own loader refuses is never called safe by its scanner.
// Real torch 1.13 writes each checkpoint; Python's zipfile repacks one with deflated members; each
// is then damaged in one way a loader notices.

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');

const MAKE = String.raw`
import os, struct, sys, torch, zipfile
out = sys.argv[1]
p = lambda n: os.path.join(out, n)
torch.save({'w': torch.arange(4096, dtype=torch.float32)}, p('ok.pt'))
src = zipfile.ZipFile(p('ok.pt'))
with zipfile.ZipFile(p('deflated.pt'), 'w', zipfile.ZIP_DEFLATED) as z:
    for info in src.infolist():
        z.writestr(info.filename, src.read(info.filename))

def member(b, suffix):
    pos = 0
    while True:
        j = b.find(b'PK\x01\x02', pos)
        n = struct.unpack_from('<H', b, j + 28)[0]
        if bytes(b[j + 46:j + 46 + n]).endswith(suffix):
            loc = struct.unpack_from('<I', b, j + 42)[0]
            ln, le = struct.unpack_from('<HH', b, loc + 26)
            return j, loc, loc + 30 + ln + le
        pos = j + 4

b = bytearray(open(p('deflated.pt'), 'rb').read())
_, _, data = member(b, b'data/0')
for k in range(data + 10, data + 40): b[k] ^= 0x55
open(p('corrupt-deflated.pt'), 'wb').write(b)

b = bytearray(open(p('ok.pt'), 'rb').read())
cen, loc, data = member(b, b'data/0')
e = bytearray(b); e[cen + 8] |= 1; e[loc + 6] |= 1
open(p('encrypted.pt'), 'wb').write(e)
m = bytearray(b); struct.pack_into('<H', m, m.rfind(b'PK\x05\x06') + 4, 1)
open(p('multidisk.pt'), 'wb').write(m)

torch.save({'w': torch.arange(16, dtype=torch.float32)}, p('legacy.pt'),
           _use_new_zipfile_serialization=False)
b = bytearray(open(p('legacy.pt'), 'rb').read())
tail = len(b) - 64 - 8
assert struct.unpack_from('<q', b, tail)[0] == 16
for name, n in (('legacy-longer.pt', 17), ('legacy-shorter.pt', 15)):
    c = bytearray(b); struct.pack_into('<q', c, tail, n); open(p(name), 'wb').write(c)
`;

function run(args: string[]): { code: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout };
}

describe('scanner and loader agree (issue 12.8)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-agree-'));
  execFileSync('/usr/bin/python3', ['-c', MAKE, dir]);

  const cases: [string, boolean][] = [
    ['ok.pt', true],
    ['deflated.pt', true],
    ['corrupt-deflated.pt', false],
    ['encrypted.pt', false],
    ['multidisk.pt', false],
    ['legacy.pt', true],
    ['legacy-longer.pt', false],
    ['legacy-shorter.pt', false],
  ];
  for (const [name, loads] of cases) {
    it(`${name}: ${loads ? 'loaded and safe' : 'refused by the loader and not safe'}`, () => {
      const file = join(dir, name);
      const convert = run(['convert', file, '-o', join(dir, `${name}.safetensors`)]);
      assert.equal(convert.code === 0, loads, `convert exit ${convert.code}`);
      const scan = run(['scan', '-f', 'json', file]);
      const verdict = (JSON.parse(scan.stdout) as { files: { verdict: string }[] }).files[0]
        ?.verdict;
      if (loads) assert.equal(verdict, 'safe');
      else assert.notEqual(verdict, 'safe');
    });
  }
});
