import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { tuneV8ForCli } from '../../src/core/v8-tuning.js';

// The CLI's V8 settings (src/core/v8-tuning.ts): what they change is observed through V8 itself,
// which keys a code cache by the flags in force.

const MODULE = pathToFileURL(join(import.meta.dirname, '../../src/core/v8-tuning.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'torchward-v8-tuning-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * In a fresh process, optionally tuned: compiles a script with the cache file (if any) and says
 * whether V8 rejected it; `make` writes the cache instead.
 */
function compile(mode: 'make' | 'use', tune: boolean, env: NodeJS.ProcessEnv = {}): string {
  const cache = join(dir, 'script.cache');
  const script = `
    import { writeFileSync, readFileSync } from 'node:fs';
    import { Script } from 'node:vm';
    const { tuneV8ForCli } = await import(${JSON.stringify(MODULE)});
    const tuned = ${String(tune)} ? tuneV8ForCli([]) : false;
    const source = 'function f(x) { return x + 1; } f(1);';
    if (${JSON.stringify(mode)} === 'make') {
      const s = new Script(source);
      s.runInThisContext();
      writeFileSync(${JSON.stringify(cache)}, s.createCachedData());
      process.stdout.write('made ' + tuned);
    } else {
      const s = new Script(source, { cachedData: readFileSync(${JSON.stringify(cache)}) });
      process.stdout.write((s.cachedDataRejected ? 'rejected ' : 'accepted ') + tuned);
    }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('the CLI V8 settings', () => {
  it('change what V8 runs under: a cache made tuned is refused untuned and accepted tuned', () => {
    assert.equal(compile('make', true), 'made true');
    assert.equal(compile('use', true), 'accepted true');
    assert.equal(compile('use', false), 'rejected false');
  });

  it('are left alone when TORCHWARD_V8_TUNING=0', () => {
    assert.equal(compile('make', false), 'made false');
    assert.equal(compile('use', true, { TORCHWARD_V8_TUNING: '0' }), 'accepted false');
    assert.equal(compile('use', true), 'rejected true');
  });

  it('give way to an interrupt budget the user gave node', () => {
    for (const flag of [
      '--interrupt-budget=5000',
      '--interrupt_budget=5000',
      '--interrupt-budget',
    ]) {
      assert.equal(tuneV8ForCli([flag], {}), false, flag);
    }
    assert.equal(tuneV8ForCli(['--max-semi-space-size=32'], { TORCHWARD_V8_TUNING: '0' }), false);
  });
});
