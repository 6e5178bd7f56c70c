import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scanBytes, scanFile } from '../../src/engine/scan.js';
import type { FileResult } from '../../src/engine/result.js';

// Issue 12 item 5: a limit never hides what was read before it. Every fixture is written by
// Python's own zipfile, gzip and lzma into a temporary folder (nothing big is committed); the
// payload is a pickle of os.system('true'), recorded by pickling a __reduce__ object (nothing runs).

const MAKE = `
import gzip, lzma, os, pickle, sys, zipfile
class Evil:
    def __reduce__(self):
        return (os.system, ('true',))
payload = pickle.dumps(Evil(), protocol=2)
zeros = b'\\0' * (1 << 20)
out = sys.argv[1]

# A torch zip whose deflated data.pkl is the payload followed by 256 MiB of zeros: torch reads the
# pickle and stops at STOP; the member's ratio is over maxInflateRatio.
with zipfile.ZipFile(os.path.join(out, 'padded.pt'), 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('archive/data.pkl', 'w', force_zip64=True) as f:
        f.write(payload)
        for _ in range(256):
            f.write(zeros)
    z.writestr('archive/version', '3\\n')

# The same padding behind a gzip and an xz wrapper (pickle.load(gzip.open(f)) runs it).
with gzip.open(os.path.join(out, 'padded.pkl.gz'), 'wb') as f:
    f.write(payload)
    for _ in range(64):
        f.write(zeros)
with lzma.open(os.path.join(out, 'padded.pkl.xz'), 'wb') as f:
    f.write(payload)
    for _ in range(64):
        f.write(zeros)

# A gzip stream cut off before its end: the pickle inside is complete.
whole = gzip.compress(payload + os.urandom(4096))
open(os.path.join(out, 'cut.pkl.gz'), 'wb').write(whole[: len(whole) // 2])

# Seven gzip layers around the payload.
data = payload
for _ in range(7):
    data = gzip.compress(data)
open(os.path.join(out, 'seven.pkl.gz'), 'wb').write(data)

# A stored torch zip whose data.pkl is larger than a lowered maxInputBytes.
with zipfile.ZipFile(os.path.join(out, 'stored.pt'), 'w', zipfile.ZIP_STORED) as z:
    z.writestr('archive/data.pkl', payload + b'\\0' * (3 << 20))
    z.writestr('archive/version', '3\\n')
`;

let made: string | undefined;
function fixture(name: string): string {
  if (made === undefined) {
    made = mkdtempSync(join(tmpdir(), 'torchward-limits-'));
    execFileSync('/usr/bin/python3', ['-c', MAKE, made]);
  }
  return join(made, name);
}

const rules = (r: FileResult): string[] => [...new Set(r.findings.map((f) => f.ruleId))].sort();
const limitNoted = (r: FileResult): boolean =>
  r.findings.some((f) => f.message.includes('LIMIT_EXCEEDED'));

describe('limits never hide what was already read (issue 12.5)', () => {
  it('reports os.system in a deflated data.pkl padded past the inflate ratio', async () => {
    const r = await scanFile(fixture('padded.pt'));
    assert.equal(r.format, 'torch-zip');
    assert.equal(r.verdict, 'malicious');
    assert.ok(rules(r).includes('pickle/dangerous-global'), rules(r).join());
    assert.ok(limitNoted(r), 'the limit is noted');
    const global = r.findings.find((f) => f.ruleId === 'pickle/dangerous-global');
    assert.equal(global?.primary.uri, `${fixture('padded.pt')}!/archive/data.pkl`);
  });

  it('reports the payload of a stored data.pkl over maxInputBytes from its first bytes', async () => {
    const r = await scanFile(fixture('stored.pt'), { limits: { maxInputBytes: 1 << 20 } });
    assert.equal(r.verdict, 'malicious');
    assert.ok(limitNoted(r));
  });

  for (const name of ['padded.pkl.gz', 'padded.pkl.xz']) {
    it(`reports the payload in front of the padding of ${name}`, async () => {
      const r = await scanFile(fixture(name), { limits: { maxInflateRatio: 100 } });
      assert.equal(r.verdict, 'malicious');
      assert.ok(rules(r).includes('pickle/dangerous-global'));
      assert.ok(limitNoted(r), JSON.stringify(r.findings.map((f) => f.message)));
    });
  }

  it('reports the payload of a gzip stream cut off before its end', async () => {
    const r = await scanFile(fixture('cut.pkl.gz'));
    assert.equal(r.verdict, 'malicious');
    assert.ok(rules(r).includes('archive/malformed-input'));
  });

  it('reads a pickle under seven gzip layers past --max-depth: malicious, nesting noted', async () => {
    const r = await scanFile(fixture('seven.pkl.gz'));
    assert.equal(r.verdict, 'malicious');
    assert.deepEqual(rules(r), ['model/nesting-too-deep', 'pickle/dangerous-global']);
    const deep = r.findings.find((f) => f.ruleId === 'model/nesting-too-deep');
    assert.equal(deep?.verdict, 'suspicious');
  });

  it('calls nesting past --max-depth suspicious when nothing worse is inside', async () => {
    const benign = execFileSync('/usr/bin/python3', [
      '-c',
      'import gzip, pickle, sys\nd = pickle.dumps({"a": 1}, protocol=2)\nfor _ in range(7): d = gzip.compress(d)\nsys.stdout.buffer.write(d)',
    ]);
    const r = await scanBytes(new Uint8Array(benign), 'benign.pkl.gz');
    assert.equal(r.verdict, 'suspicious');
    assert.deepEqual(rules(r), ['model/nesting-too-deep']);
    // With the limit raised, the same file is proven safe.
    const raised = await scanBytes(new Uint8Array(benign), 'benign.pkl.gz', {
      limits: { maxDepth: 8 },
    });
    assert.equal(raised.verdict, 'safe');
  });

  it('stops peeling a gzip quine-like tower at a fixed number of levels', async () => {
    const tower = execFileSync('/usr/bin/python3', [
      '-c',
      'import gzip, sys\nd = b"x"\nfor _ in range(40): d = gzip.compress(d)\nsys.stdout.buffer.write(d)',
    ]);
    const r = await scanBytes(new Uint8Array(tower), 'tower.gz');
    assert.equal(r.verdict, 'suspicious');
    // Five levels to the limit, then at most sixteen more are peeled.
    assert.ok(r.members.length <= 5 + 16, String(r.members.length));
  });
});
