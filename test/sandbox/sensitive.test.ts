import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkSensitiveInputs, findingPlace } from '../../src/sandbox/sensitive.js';

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

  it("runs scan --privacy's checks over data files: personal data and gitleaks' secrets", async () => {
    const sub = join(dir, 'data');
    mkdirSync(sub, { recursive: true });
    // Synthetic values (Luhn-valid card, presidio-research-style address); the key is assembled.
    writeFileSync(join(sub, 'people.csv'), 'name,email\nUta,UtaKortig@jourrapide.com\n');
    writeFileSync(
      join(sub, 'chat.jsonl'),
      `{"text":"card 4454 7945 1139 0933"}\n{"text":"slack ${['xox', 'b-'].join('')}1234567890-1234567890123-${'AbCd'.repeat(6)}"}\n`,
    );
    // A published example address and a low-confidence shape (nine bare digits) do not count.
    writeFileSync(join(sub, 'docs.md'), 'mail a@example.com, id 460899847\n');
    // The same address in model weights: byte scan only (recognisers on weights would be noise).
    writeFileSync(join(sub, 'weights.bin'), Buffer.from('UtaKortig@jourrapide.com'));
    const check = await checkSensitiveInputs([{ given: sub, real: sub, kind: 'directory' }]);
    assert.deepEqual(
      check.findings.map((f) => [f.path.slice(sub.length + 1), f.kind, findingPlace(f)]),
      [
        // The byte scan (fixed token shapes, every file) and then the privacy pass (data files).
        ['chat.jsonl', 'Slack token', 'byte 51'],
        ['chat.jsonl', 'privacy/credit-card', 'line 1, record 1, column text'],
        ['chat.jsonl', 'privacy/secret/slack', 'line 2, record 2, column text'],
        ['people.csv', 'privacy/email', 'line 2, record 1, column email'],
      ],
    );
    assert.equal(check.files, 4);
  });
});
