import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../../src/rules/registry.js';
import { runCli } from '../helpers/cli-io.js';
// zizmor's audit names (zizmorcore/zizmor crates/zizmor/src/audit/*.rs): an equivalent naming
// anything else is a typo.
import { ZIZMOR_AUDITS } from '../../src/rules/zizmor-equivalents.js';

interface Listed {
  id: string;
  family: string;
  severity: string;
  summary: string;
  docs: string;
  equivalents: { zizmor: string[] };
}

describe('torchward rules', () => {
  it('lists every registered rule as JSON, each with a documentation page that exists', async () => {
    const { code, stdout } = await runCli(['rules', '--format', 'json']);
    assert.equal(code, 0);
    const out = JSON.parse(stdout) as { version: number; rules: Listed[] };
    assert.equal(out.version, 1);
    assert.deepEqual(
      out.rules.map((r) => r.id),
      ALL_RULES.map((r) => r.id),
    );
    for (const r of out.rules) {
      assert.ok(existsSync(r.docs), `${r.id}: ${r.docs}`);
      assert.ok(readFileSync(r.docs, 'utf8').includes('## What it detects'), r.docs);
      assert.equal(r.family, r.id.split('/')[0]);
      assert.ok(r.summary.length > 0 && r.severity.length > 0, r.id);
      for (const z of r.equivalents.zizmor) assert.ok(ZIZMOR_AUDITS.has(z), `${r.id}: ${z}`);
    }
  });

  it('declares zizmor equivalents on the ci rules and maps each zizmor audit at most to known rules', async () => {
    const { stdout } = await runCli(['rules', '--format', 'json', '--family', 'ci']);
    const rules = (JSON.parse(stdout) as { rules: Listed[] }).rules;
    assert.ok(rules.length > 0 && rules.every((r) => r.family === 'ci'));
    const template = rules.find((r) => r.id === 'ci/script-injection');
    assert.deepEqual(template?.equivalents.zizmor, ['template-injection']);
    const mapped = new Set(rules.flatMap((r) => r.equivalents.zizmor));
    assert.ok(mapped.has('unpinned-uses') && mapped.has('dangerous-triggers'));
  });

  it('prints a text table and refuses an unknown family', async () => {
    const text = await runCli(['rules']);
    assert.equal(text.code, 0);
    const line = text.stdout.split('\n').find((l) => l.startsWith('ci/script-injection '));
    assert.deepEqual(line?.split(/\s{2,}/), [
      'ci/script-injection',
      'high',
      'Attacker-controlled context expanded into a script  [zizmor: template-injection]'.split(
        '  ',
      )[0],
      '[zizmor: template-injection]',
    ]);
    const bad = await runCli(['rules', '--family', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--family must be one of/);
  });
});
