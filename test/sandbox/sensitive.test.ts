import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkSensitiveInputs } from '../../src/sandbox/sensitive.js';

// Secret-shaped strings are assembled at run time, so this file holds no token a scanner
// (or a push protection) would flag.

const dir = mkdtempSync(join(tmpdir(), 'torchward-sensitive-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const tokens: Record<string, string> = {
  'AWS access key id': 'AKIA' + 'ABCDEFGH23456789',
  'GitHub token': `ghp_${'a1B2'.repeat(9)}`,
  'Hugging Face token': `hf_${'abcDEF'.repeat(5)}abcd`,
  'Google API key': `AIza${'x'.repeat(35)}`,
  'npm token': `npm_${'Z9'.repeat(18)}`,
  'private key (PEM)': '-----BEGIN RSA ' + 'PRIVATE KEY-----',
};

describe('checkSensitiveInputs', () => {
  it('finds each token format, at its byte offset, also across a chunk boundary', async () => {
    for (const [kind, token] of Object.entries(tokens)) {
      const file = join(dir, `${kind.replaceAll(' ', '-')}.bin`);
      // 1 MiB minus 5 bytes of zeros: the token straddles the first 1 MiB chunk.
      const pad = Buffer.alloc(1024 * 1024 - 5);
      writeFileSync(file, Buffer.concat([pad, Buffer.from(` ${token} `), pad]));
      const check = await checkSensitiveInputs([{ given: file, real: file, kind: 'file' }]);
      assert.deepEqual(
        check.findings.map((f) => [f.kind, f.offset]),
        [[kind, pad.length + 1]],
        kind,
      );
    }
  });

  it('walks directories and passes files without secrets', async () => {
    const sub = join(dir, 'tree', 'a');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'weights.bin'), Buffer.alloc(4096, 7));
    // Near misses: too short, wrong prefix case, embedded in a longer word.
    writeFileSync(
      join(sub, 'notes.txt'),
      `hf_short AKIAshort xghp_${'a'.repeat(36)} hf_${'a'.repeat(40)}\n`,
    );
    const check = await checkSensitiveInputs([
      { given: join(dir, 'tree'), real: join(dir, 'tree'), kind: 'directory' },
    ]);
    assert.deepEqual(check.findings, []);
    assert.equal(check.files, 2);
  });
});
