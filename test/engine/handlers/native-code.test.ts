// Native code inside model archives (adversary pass): a torch AOTInductor package (.pt2) dlopens
// the shared library it carries. torch 2.13's torch.export.save writes the stock package at test
// time; a real shared library from the system (libz, present wherever Python is) is added to it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';
import { nativeCodeFormat } from '../../../src/formats/native-code.js';
import { torch2Env, torch2Python } from '../../helpers/torch2.js';

const WRITER = String.raw`
import io, shutil, sys, tarfile, zipfile, zlib, torch
out = sys.argv[1]
class M(torch.nn.Module):
    def __init__(self):
        super().__init__(); self.l = torch.nn.Linear(4, 2)
    def forward(self, x):
        return self.l(x)
torch.export.save(torch.export.export(M(), (torch.randn(1, 4),)), f'{out}/stock.pt2')
import os
so = next(p for p in ['/usr/lib/x86_64-linux-gnu/libz.so.1', '/lib/x86_64-linux-gnu/libz.so.1', '/usr/lib/aarch64-linux-gnu/libz.so.1'] if os.path.exists(p))
shutil.copy(f'{out}/stock.pt2', f'{out}/with-so.pt2')
with zipfile.ZipFile(f'{out}/with-so.pt2', 'a') as z:
    z.write(so, 'stock/data/aotinductor/model/model.so')
with tarfile.open(f'{out}/with-so.tar', 'w', dereference=True) as t:
    t.add(so, 'model/libcustom_ops.so')
`;

describe('native code in model archives', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torchward-native-'));
    execFileSync(torch2Python(), ['-c', WRITER, dir], {
      env: torch2Env(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = async (name: string) => {
    const r = await scanFile(join(dir, name));
    return { verdict: r.verdict, rules: [...new Set(r.findings.map((f) => f.ruleId))] };
  };

  it('a stock torch.export package is safe', async () => {
    assert.deepEqual(await scan('stock.pt2'), { verdict: 'safe', rules: [] });
  });

  it('a shared library in a .pt2 package or a tar is suspicious', async () => {
    assert.deepEqual(await scan('with-so.pt2'), {
      verdict: 'suspicious',
      rules: ['archive/native-code'],
    });
    assert.deepEqual(await scan('with-so.tar'), {
      verdict: 'suspicious',
      rules: ['archive/native-code'],
    });
  });

  it('recognises ELF, Mach-O and PE heads, and nothing else', () => {
    const bytes = (...b: number[]) => Uint8Array.from(b);
    assert.equal(nativeCodeFormat(bytes(0x7f, 0x45, 0x4c, 0x46, 2)), 'ELF');
    assert.equal(nativeCodeFormat(bytes(0xcf, 0xfa, 0xed, 0xfe)), 'Mach-O');
    assert.equal(nativeCodeFormat(bytes(0xca, 0xfe, 0xba, 0xbe)), 'Mach-O universal');
    const pe = new Uint8Array(0x84);
    pe.set([0x4d, 0x5a]);
    pe[0x3c] = 0x80;
    pe.set([0x50, 0x45, 0, 0], 0x80);
    assert.equal(nativeCodeFormat(pe), 'PE');
    assert.equal(nativeCodeFormat(pe.subarray(0, 0x40)), undefined);
    assert.equal(nativeCodeFormat(bytes(0x4d, 0x5a, 0x90, 0)), undefined);
    assert.equal(nativeCodeFormat(bytes(0x80, 0x02, 0x7d, 0x71)), undefined);
  });
});
