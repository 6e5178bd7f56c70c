import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { auditWorkflowFiles } from '../../src/engine/workflow-audit.js';
import { runCli } from '../helpers/cli-io.js';

const root = mkdtempSync(join(tmpdir(), 'torchward-wfcfg-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function put(rel: string, text: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

put(
  '.github/dependabot.yml',
  'version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    insecure-external-code-execution: allow\n',
);
put(
  'fixtures/dependabot.yml',
  'version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    cooldown:\n      default-days: 2\n',
);
// A workflow that happens to be called dependabot.yml (a job of its own: GitHub refuses, and the
// audit reports as malformed, a workflow with no jobs).
put(
  '.github/workflows/dependabot.yml',
  'on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n',
);
put('.pre-commit-config.yaml', 'repos:\n  - repo: git://example.com/hooks\n    rev: v1\n');
// No concurrency, no name: code smells that only --pedantic reports; no other finding.
put(
  '.github/workflows/ci.yml',
  'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n',
);

async function audit(rel: string, pedantic = false): Promise<string[]> {
  const [result] = await auditWorkflowFiles([{ path: join(root, rel), uri: rel }], {
    limits: DEFAULT_LIMITS,
    config: {},
    repoRoot: root,
    ...(pedantic ? { pedantic: true } : {}),
  });
  return (result?.findings ?? []).map((f) => f.ruleId);
}

describe('workflow audit of configuration files', () => {
  it('runs only the Dependabot rules on .github/dependabot.yml', async () => {
    assert.deepEqual(await audit('.github/dependabot.yml'), [
      'ci/dependabot-cooldown',
      'ci/dependabot-execution',
    ]);
  });

  it('reads a dependabot.yml named as input, but not a workflow called dependabot.yml', async () => {
    assert.deepEqual(await audit('fixtures/dependabot.yml'), ['ci/dependabot-cooldown']);
    assert.deepEqual(await audit('.github/workflows/dependabot.yml'), []);
  });

  it('reads pre-commit hook URLs', async () => {
    assert.deepEqual(await audit('.pre-commit-config.yaml'), ['ci/insecure-url-scheme']);
  });

  it('runs the code-smell rules only when pedantic', async () => {
    assert.deepEqual(await audit('.github/workflows/ci.yml'), []);
    assert.deepEqual(await audit('.github/workflows/ci.yml', true), [
      'ci/anonymous-definition',
      'ci/concurrency-limits',
    ]);
  });

  it('is reached by `scan` on a repository, with --pedantic passed through', async () => {
    const plain = await runCli(['scan', '--format', 'json', '--no-config', root]);
    const ids = (out: string): string[] =>
      (JSON.parse(out) as { files: { findings: { ruleId: string }[] }[] }).files
        .flatMap((f) => f.findings.map((x) => x.ruleId))
        .sort();
    assert.deepEqual(ids(plain.stdout), [
      'ci/dependabot-cooldown',
      'ci/dependabot-execution',
      'ci/insecure-url-scheme',
    ]);
    const pedantic = await runCli(['scan', '--format', 'json', '--no-config', '--pedantic', root]);
    assert.ok(ids(pedantic.stdout).includes('ci/concurrency-limits'));
  });
});
