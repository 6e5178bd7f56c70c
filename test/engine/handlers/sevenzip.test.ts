import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';

const scan = async (path: string) => {
  const r = await scanFile(`test/fixtures/7z/${path}`);
  return {
    format: r.format,
    verdict: r.verdict,
    found: [...new Set(r.findings.map((f) => f.ruleId))].sort(),
    members: r.members.map((m) => `${m.member}:${m.format}:${m.verdict}`),
  };
};

describe('7z handler', () => {
  it('scans members like zip members', async () => {
    assert.deepEqual(await scan('ok/models.7z'), {
      format: '7z',
      verdict: 'safe',
      found: [],
      members: ['add.onnx:onnx:safe', 'sub/chatml.gguf:gguf:safe'],
    });
  });

  it('finds a pickle payload wrapped in 7z (nullifAI, C8)', async () => {
    const r = await scan('evil/pickle-in-7z.7z');
    assert.equal(r.verdict, 'malicious');
    assert.deepEqual(r.members, ['model/data.pkl:pickle:malicious']);
  });

  it('encrypted archives are suspicious, never skipped; truncated ones invalid', async () => {
    assert.deepEqual(await scan('bad/encrypted-headers.7z'), {
      format: '7z',
      verdict: 'suspicious',
      found: ['sevenzip/encrypted'],
      members: [],
    });
    assert.deepEqual(await scan('bad/encrypted-member.7z'), {
      format: '7z',
      verdict: 'suspicious',
      found: ['sevenzip/encrypted'],
      members: [],
    });
    assert.deepEqual(await scan('bad/truncated.7z'), {
      format: '7z',
      verdict: 'invalid',
      found: ['sevenzip/malformed-input'],
      members: [],
    });
  });
});
