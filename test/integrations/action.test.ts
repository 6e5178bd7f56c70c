import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const ROOT = process.cwd();
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
};

/** The yaml block after `<!-- doc-test: <marker>` in docs/integrations.md. */
function docBlock(marker: string): string {
  const text = readFileSync(join(ROOT, 'docs', 'integrations.md'), 'utf8');
  const at = text.indexOf(`<!-- doc-test: ${marker}`);
  assert.ok(at >= 0, marker);
  const m = /```yaml\n([\s\S]*?)\n```/.exec(text.slice(at));
  assert.ok(m?.[1] !== undefined);
  return m[1];
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('the GitHub Action', () => {
  it('declares the inputs, pins upload-sarif by a full commit SHA, and passes torchward’s workflow audit with its usage example and this repository’s workflows', () => {
    assert.equal(action.runs.using, 'composite');
    for (const input of ['path', 'format', 'fail-on', 'config', 'upload-sarif'])
      assert.ok(input in action.inputs, input);
    assert.equal(action.inputs['upload-sarif']?.default, 'true');
    const upload = action.runs.steps.find((s) =>
      s.uses?.startsWith('github/codeql-action/upload-sarif@'),
    );
    // v4.36.2 of github/codeql-action (tag object resolved to its commit).
    assert.equal(
      upload?.uses,
      'github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e',
    );

    const dir = mkdtempSync(join(tmpdir(), 'torchward-action-audit-'));
    mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(dir, '.github', 'workflows', 'torchward.yml'), docBlock('workflow'));
    copyFileSync(
      join(ROOT, '.github', 'workflows', 'ci.yml'),
      join(dir, '.github', 'workflows', 'ci.yml'),
    );
    copyFileSync(join(ROOT, 'action.yml'), join(dir, 'action.yml'));
    const r = spawnSync(
      process.execPath,
      [CLI, 'scan', dir, '-f', 'json', '--no-config', '--no-progress'],
      {
        encoding: 'utf8',
      },
    );
    const report = JSON.parse(r.stdout) as {
      files: { path: string; format: string; findings: { ruleId: string; message: string }[] }[];
    };
    assert.deepEqual(report.files.map((f) => [f.path.slice(dir.length + 1), f.format]).sort(), [
      ['.github/workflows/ci.yml', 'workflow'],
      ['.github/workflows/torchward.yml', 'workflow'],
      ['action.yml', 'action'],
    ]);
    assert.deepEqual(
      report.files.flatMap((f) => f.findings.map((x) => `${f.path}: ${x.ruleId} ${x.message}`)),
      [],
    );
    assert.equal(r.status, 0);
  });

  it('its scan and report steps, run as written: outputs, job summary table, annotations only on changed lines', () => {
    const repo = mkdtempSync(join(tmpdir(), 'torchward-action-run-'));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'config', 'user.email', 't@example.com');
    git(repo, 'config', 'user.name', 't');
    mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
    const wf = (title: string) =>
      `name: a\non: pull_request_target\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${title}"\n`;
    // The base already has an injection in old.yml: not the pull request's doing, not annotated.
    writeFileSync(
      join(repo, '.github', 'workflows', 'old.yml'),
      wf('${{ github.event.pull_request.title }}'),
    );
    writeFileSync(join(repo, '.github', 'workflows', 'new.yml'), wf('hello'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'base');
    const base = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(
      join(repo, '.github', 'workflows', 'new.yml'),
      wf('${{ github.event.pull_request.body }}'),
    );
    copyFileSync(
      join(ROOT, 'test', 'fixtures', 'torch', 'evil', 'c06-deflated-data-pkl.pt'),
      join(repo, 'model.pt'),
    );
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'pr');

    const temp = mkdtempSync(join(tmpdir(), 'torchward-action-temp-'));
    const output = join(temp, 'output');
    const summary = join(temp, 'summary.md');
    writeFileSync(output, '');
    const runStep = (id: string, env: Record<string, string>) => {
      const step = action.runs.steps.find((s) => s.id === id);
      assert.ok(step?.run !== undefined, id);
      return spawnSync('bash', ['-e', '-c', step.run], {
        cwd: repo,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          GITHUB_ACTION_PATH: ROOT,
          GITHUB_WORKSPACE: repo,
          RUNNER_TEMP: temp,
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: summary,
          ...env,
        },
      });
    };
    const scan = runStep('scan', {
      TW_PATH: '.',
      TW_FORMAT: 'cyclonedx',
      TW_FAIL_ON: 'low',
      TW_CONFIG: '',
      TW_SARIF: 'true',
    });
    assert.equal(scan.status, 0, scan.stderr);
    const outputs = Object.fromEntries(
      readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('=', 2) as [string, string]),
    );
    assert.equal(outputs['exit-code'], '1');
    assert.equal(outputs.report, join(temp, 'torchward', 'report.cyclonedx'));
    assert.equal(
      (JSON.parse(readFileSync(outputs.sarif ?? '', 'utf8')) as { version: string }).version,
      '2.1.0',
    );
    assert.equal(
      (JSON.parse(readFileSync(outputs.report ?? '', 'utf8')) as { bomFormat: string }).bomFormat,
      'CycloneDX',
    );

    const report = runStep('report', { TW_JSON: outputs.json ?? '', TW_BASE: base });
    assert.equal(report.status, 0, report.stderr);
    const annotations = report.stdout.split('\n').filter((l) => l.startsWith('::'));
    assert.ok(
      annotations.some((a) =>
        a.startsWith(
          '::error file=.github/workflows/new.yml,title=torchward ci/script-injection,line=8',
        ),
      ),
      report.stdout,
    );
    assert.ok(
      annotations.some((a) =>
        a.startsWith('::error file=model.pt,title=torchward pickle/dangerous-global::'),
      ),
    );
    assert.ok(!annotations.some((a) => a.includes('old.yml')), 'unchanged lines are not annotated');
    const table = readFileSync(summary, 'utf8');
    assert.match(table, /\| Verdict \| File \| Format \| Findings \| Worst \|/);
    assert.match(table, /\| malicious \| `model\.pt` \| torch-zip \| \d+ \| critical \|/);
    assert.match(table, /\| audited \| `\.github\/workflows\/old\.yml` \| workflow \|/);

    // Not a pull request (no base): the summary still, no annotations.
    const push = runStep('report', { TW_JSON: outputs.json ?? '', TW_BASE: '' });
    assert.equal(push.stdout.split('\n').filter((l) => l.startsWith('::')).length, 0);
  });
});
