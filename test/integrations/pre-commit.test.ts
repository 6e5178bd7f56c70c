import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const ROOT = process.cwd();
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

interface Hook {
  id: string;
  entry: string;
  language: string;
  files: string;
}
const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

/** The yaml block after `<!-- doc-test: pre-commit` in docs/integrations.md. */
function docConfig(): { repos: { hooks: { id: string }[] }[] } {
  const text = readFileSync(join(ROOT, 'docs', 'integrations.md'), 'utf8');
  const at = text.indexOf('<!-- doc-test: pre-commit');
  const m = /```yaml\n([\s\S]*?)\n```/.exec(text.slice(at));
  return parse(m?.[1] ?? '') as { repos: { hooks: { id: string }[] }[] };
}

/**
 * Runs a hook as pre-commit does: its `files` pattern (a Python regex; these use only syntax
 * JavaScript reads the same) picks the staged files, which are appended to its `entry`.
 */
function runHook(hook: Hook, cwd: string, staged: readonly string[]) {
  const re = new RegExp(hook.files);
  const picked = staged.filter((f) => re.test(f));
  const [command, ...args] = hook.entry.split(' ');
  assert.equal(command, 'torchward');
  const r = spawnSync(process.execPath, [CLI, ...args, ...picked], { cwd, encoding: 'utf8' });
  return { picked, code: r.status, out: r.stdout };
}

describe('pre-commit hooks', () => {
  it('the documented config names the three hooks, all language: node', () => {
    assert.deepEqual(
      hooks.map((h) => [h.id, h.language]),
      [
        ['torchward-models', 'node'],
        ['torchward-workflows', 'node'],
        ['torchward-python', 'node'],
      ],
    );
    assert.deepEqual(
      docConfig().repos[0]?.hooks.map((h) => h.id),
      hooks.map((h) => h.id),
    );
  });

  it('each hook picks its files and fails on what it should, passes clean files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-precommit-'));
    mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
    copyFileSync(
      join(ROOT, 'test', 'fixtures', 'torch', 'evil', 'c06-deflated-data-pkl.pt'),
      join(dir, 'evil.pt'),
    );
    copyFileSync(
      join(ROOT, 'test', 'fixtures', 'safetensors', 'ok', 'two-tensors.safetensors'),
      join(dir, 'ok.safetensors'),
    );
    writeFileSync(
      join(dir, '.github', 'workflows', 'ci.yml'),
      'name: a\non: pull_request_target\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n',
    );
    writeFileSync(
      join(dir, 'load.py'),
      'import torch\nmodel = torch.load("m.pt", weights_only=False)\n',
    );
    writeFileSync(join(dir, 'clean.py'), 'print("hello")\n');
    writeFileSync(join(dir, 'notes.txt'), 'text\n');
    const [models, workflows, python] = hooks;
    assert.ok(models !== undefined && workflows !== undefined && python !== undefined);

    const bad = runHook(models, dir, ['evil.pt', 'ok.safetensors', 'notes.txt', 'load.py']);
    assert.deepEqual(bad.picked, ['evil.pt', 'ok.safetensors']);
    assert.equal(bad.code, 1, bad.out);
    assert.equal(runHook(models, dir, ['ok.safetensors']).code, 0);

    const wf = runHook(workflows, dir, ['.github/workflows/ci.yml', 'load.py']);
    assert.deepEqual(wf.picked, ['.github/workflows/ci.yml']);
    assert.equal(wf.code, 1);
    assert.match(wf.out, /ci\/script-injection/);

    const py = runHook(python, dir, ['load.py', 'evil.pt', '.github/workflows/ci.yml']);
    assert.deepEqual(py.picked, ['load.py']);
    assert.equal(py.code, 1, py.out);
    assert.equal(runHook(python, dir, ['clean.py']).code, 0);
  });
});
