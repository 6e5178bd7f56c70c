import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { judge } from './judge.js';

interface Case {
  name: string;
  pickle: string;
  storages: Record<string, number>;
}

// Real torch.save output (Debian's torch 1.13), written by the committed generator script.
const run = spawnSync('/usr/bin/python3', ['test/rules/pickle/make_torch_pickles.py'], {
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const cases: Case[] =
  run.status === 0
    ? run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Case)
    : [];

describe('pickle policy on real torch.save checkpoints', () => {
  it('the generator ran', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.ok(cases.length >= 9);
  });
  for (const c of cases) {
    it(`${c.name}: safe with the archive's storages`, () => {
      const bytes = Buffer.from(c.pickle, 'base64');
      const storages = new Map(Object.entries(c.storages));
      const j = judge(bytes, { flavour: 'torch-zip', storages });
      // Protocol 4 framing is pure data, but torch's weights-only unpickler refuses it: an info
      // finding says so and the verdict stays safe.
      const notes = c.name === 'protocol 4' ? ['pickle/torch-load-refusal'] : [];
      assert.deepEqual(
        j.findings.map((f) => f.ruleId),
        notes,
      );
      assert.equal(j.verdict, 'safe');
    });
  }
  it('a storage missing from the archive or too small is suspicious', () => {
    const c = cases.find((x) => x.name === 'linear state_dict');
    assert.ok(c !== undefined);
    const bytes = Buffer.from(c.pickle, 'base64');
    const [first] = Object.keys(c.storages);
    assert.ok(first !== undefined);
    const missing = new Map(Object.entries(c.storages).filter(([k]) => k !== first));
    const j1 = judge(bytes, { flavour: 'torch-zip', storages: missing });
    assert.equal(j1.verdict, 'suspicious');
    assert.ok(j1.findings.some((f) => f.messageId === 'missing'));
    const small = new Map(Object.entries(c.storages).map(([k, v]) => [k, k === first ? v - 1 : v]));
    const j2 = judge(bytes, { flavour: 'torch-zip', storages: small });
    assert.ok(j2.findings.some((f) => f.messageId === 'size'));
  });
  it('the same data.pkl as a bare pickle is suspicious: nothing defines persistent_load', () => {
    const c = cases.find((x) => x.name === 'linear state_dict');
    assert.ok(c !== undefined);
    const j = judge(Buffer.from(c.pickle, 'base64'));
    assert.equal(j.verdict, 'suspicious');
    assert.ok(j.findings.some((f) => f.messageId === 'no-loader'));
  });
});
