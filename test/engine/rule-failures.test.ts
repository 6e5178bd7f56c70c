import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defineRule, type RuleTarget } from '../../src/rules/define-rule.js';
import { addTestRule } from '../../src/rules/run-rules.js';
import { runCli } from '../helpers/cli-io.js';
import { governedRepo, OWNER, REPO } from '../helpers/github-fixtures.js';
import { FakeGitHub } from '../helpers/github-server.js';

// Every family's path runs its rules through one runner (src/rules/run-rules.ts): a rule that
// throws is a bug, reported as an internal error naming the rule and the file (stderr, exit 4),
// never as a finding. A throwing rule is injected per target through the runner's test hook.
// Paths are absolute: the in-process CLI resolves them against the process's directory.

const KEY = resolve('test', 'fixtures', 'oms', 'model-signing', 'keys', 'certificate');
const PICKLE = resolve('test', 'fixtures', 'pickle', 'ok', 'pure_data_p2.pkl');

/** Runs `argv` with a rule of `target` that always throws; returns the CLI outcome. */
async function withThrowingRule(
  target: RuleTarget,
  argv: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string; ruleIds: string[] }> {
  const remove = addTestRule(
    defineRule<unknown, 'never'>({
      id: `test/throws-${target}`,
      title: 'throws',
      target,
      severity: 'low',
      confidence: 'low',
      policy: 'test',
      messages: { never: 'never reported' },
      check() {
        throw new Error('boom');
      },
    }),
  );
  try {
    const r = await runCli(argv, env, cwd);
    assert.notEqual(r.stdout, '', r.stderr);
    const doc = JSON.parse(r.stdout) as { files: { findings: { ruleId: string }[] }[] };
    return {
      code: r.code,
      stderr: r.stderr,
      ruleIds: doc.files.flatMap((f) => f.findings.map((x) => x.ruleId)),
    };
  } finally {
    remove();
  }
}

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-rule-failure-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The outcome every family must give: exit 4, the bug named on stderr, no finding of it. */
function assertInternal(
  r: { code: number; stderr: string; ruleIds: string[] },
  target: string,
  file: RegExp,
): void {
  assert.equal(r.code, 4, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`internal error: .*${file.source}.*: rule test/throws-${target}: boom`),
  );
  assert.deepEqual(
    r.ruleIds.filter((id) => id.startsWith('test/') || id.endsWith('/malformed-input')),
    [],
  );
}

describe('a rule that throws is an internal error in every family', () => {
  it('model artifacts (pickle)', async () => {
    const dir = workspace({});
    copyFileSync(PICKLE, join(dir, 'weights.pkl'));
    const r = await withThrowingRule(
      'pickle',
      ['scan', '-f', 'json', join(dir, 'weights.pkl')],
      dir,
    );
    assertInternal(r, 'pickle', /weights\.pkl/);
    // The unit was not judged by every rule, so it is not called safe.
    assert.ok(r.ruleIds.includes('model/internal-error'));
  });

  it('workflows', async () => {
    const dir = workspace({
      '.github/workflows/ci.yml':
        'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n',
    });
    const r = await withThrowingRule('workflow', ['scan', '-f', 'json', dir], dir);
    assertInternal(r, 'workflow', /ci\.yml/);
  });

  it('deployment files', async () => {
    const dir = workspace({
      'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: m\nspec:\n  clusterIP: None\n',
    });
    const r = await withThrowingRule('deploy', ['scan', '-f', 'json', dir], dir);
    assertInternal(r, 'deploy', /svc\.yaml/);
  });

  it('code files', async () => {
    const dir = workspace({ 'train.py': 'import torch\n' });
    const r = await withThrowingRule('code', ['scan', '-f', 'json', dir], dir);
    assertInternal(r, 'code', /train\.py/);
  });

  it('model repositories (was a malformed-input finding)', async () => {
    const dir = workspace({ 'model/config.json': '{"model_type": "bert"}\n' });
    copyFileSync(PICKLE, join(dir, 'model', 'weights.pkl'));
    const r = await withThrowingRule('repository', ['scan', '-f', 'json', join(dir, 'model')], dir);
    assertInternal(r, 'repository', /config\.json/);
  });

  it('privacy', async () => {
    const dir = workspace({ 'people.csv': 'name,email\nAda,ada@example.com\n' });
    const r = await withThrowingRule('privacy', ['scan', '--privacy', '-f', 'json', dir], dir);
    assertInternal(r, 'privacy', /people\.csv/);
  });

  it('signatures (provenance)', async () => {
    const dir = workspace({});
    mkdirSync(join(dir, 'model'));
    copyFileSync(PICKLE, join(dir, 'model', 'weights.pkl'));
    const r = await withThrowingRule(
      'provenance',
      [
        'scan',
        '-f',
        'json',
        '--require-signature',
        '--public-key',
        join(KEY, 'signing-key-pub.pem'),
        join(dir, 'model'),
      ],
      dir,
    );
    assertInternal(r, 'provenance', /model\.sig/);
  });

  describe('GitHub repository settings', () => {
    let server: FakeGitHub;
    before(async () => {
      server = await new FakeGitHub().start();
      governedRepo(server);
    });
    after(async () => {
      await server.stop();
    });

    it('repo', async () => {
      const r = await withThrowingRule(
        'github',
        ['repo', 'audit', `${OWNER}/${REPO}`, '-f', 'json', '--api-url', server.url],
        process.cwd(),
        { GITHUB_TOKEN: 'ghp_torchwardTestToken0123456789abcdefXYZ' },
      );
      assertInternal(r, 'github', new RegExp(`repos/${OWNER}/${REPO}`));
    });
  });
});
