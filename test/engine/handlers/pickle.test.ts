import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { scanFile } from '../../../src/engine/scan.js';

const dir = mkdtempSync(join(tmpdir(), 'torchward-pickle-'));
const made = spawnSync('/usr/bin/python3', ['test/engine/handlers/make_pickle_artifacts.py', dir], {
  encoding: 'utf8',
});

async function scan(name: string) {
  const r = await scanFile(join(dir, name));
  return { ...r, rules: [...new Set(r.findings.map((f) => f.ruleId))].sort() };
}

describe('pickle handler on real artifacts', () => {
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  it('the writers ran', () => {
    assert.equal(made.status, 0, made.stderr);
  });
  it('a benign legacy torch file (views, bfloat16, Parameter) is safe', async () => {
    const r = await scan('legacy.pt');
    assert.equal(r.format, 'torch-legacy');
    assert.deepEqual(
      r.findings.map((f) => f.message),
      [],
    );
    assert.equal(r.verdict, 'safe');
  });
  it('legacy files written with pickle protocols 1 and 4 are read as legacy and safe', async () => {
    for (const name of ['legacy-p1.pt', 'legacy-p4.pt']) {
      const r = await scan(name);
      assert.equal(r.format, 'torch-legacy', name);
      assert.equal(r.verdict, 'safe', name);
    }
  });
  it('a legacy file with os.system in its state dict is malicious', async () => {
    const r = await scan('legacy-evil.pt');
    assert.equal(r.format, 'torch-legacy');
    assert.equal(r.verdict, 'malicious');
    assert.ok(r.rules.includes('pickle/dangerous-global'));
  });
  it('a legacy file whose magic is computed by eval is malicious (bypass C11)', async () => {
    const r = await scan('legacy-magic-eval.pt');
    assert.equal(r.format, 'pickle');
    assert.equal(r.verdict, 'malicious');
    assert.ok(r.findings.some((f) => f.message.includes('builtins.eval')));
  });
  it('an uncompressed joblib file is read past its array bytes and nested object pickle', async () => {
    const r = await scan('model.joblib');
    assert.equal(r.format, 'joblib');
    // NumpyArrayWrapper and numpy reconstruction are outside the weights-only allowlist.
    assert.equal(r.verdict, 'suspicious');
    assert.ok(!r.rules.includes('pickle/malformed-input'), JSON.stringify(r.findings));
    assert.ok(r.findings.some((f) => f.message.includes('joblib.numpy_pickle.NumpyArrayWrapper')));
  });
  it('a payload after a joblib array is found (the array bytes are skipped, not decoded)', async () => {
    const r = await scan('evil.joblib');
    assert.equal(r.verdict, 'malicious');
    assert.ok(!r.rules.includes('pickle/malformed-input'));
  });
  it('a payload followed by junk, without a pickle name, is malicious and malformed (C1, C9)', async () => {
    const r = await scan('payload-junk.bin');
    assert.equal(r.format, 'pickle');
    assert.equal(r.verdict, 'malicious');
    assert.ok(r.rules.includes('pickle/malformed-input'));
  });
  it('a benign protocol 0 pickle with no name is sniffed and safe', async () => {
    const r = await scan('benign-proto0');
    assert.equal(r.format, 'pickle');
    assert.equal(r.verdict, 'safe');
  });
  it('a payload in the second of two pickles is found (bypass C13)', async () => {
    const r = await scan('two-pickles.pkl');
    assert.equal(r.verdict, 'malicious');
  });
});
