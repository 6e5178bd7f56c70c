import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { auditWorkflowFiles } from '../../src/engine/workflow-audit.js';
import { compilePattern, matchesPattern, parseMergeRules } from '../../src/github/merge-rules.js';
import { runCli } from '../helpers/cli-io.js';
import {
  changedFile,
  checkRun,
  HEAD,
  membership,
  OLD_HEAD,
  OWNER,
  pullRequest,
  REPO,
  review,
} from '../helpers/github-fixtures.js';
import { FakeGitHub, paged } from '../helpers/github-server.js';

const P = `/repos/${OWNER}/${REPO}`;
const TOKEN = 'ghp_mergeGateTestToken0123456789abcdefXYZ';

const RULES = `# Path-based merge rules in PyTorch's format.
- name: CI infra
  patterns:
  - .github/**
  - .ci/**
  approved_by:
  - ${OWNER}/infra
  mandatory_checks_name:
  - Lint
  - EasyCLA
  ignore_flaky_failures: false
- name: NN
  patterns:
  - torch/nn/**
  approved_by:
  - alice
  - ${OWNER}/nn-team
  mandatory_checks_name:
  - pull / linux-test
- name: Docs
  patterns:
  - docs/**
  - '*.md'
  approved_by:
  - dave
`;

function pattern(source: string): boolean[] {
  const p = { source, span: { start: 0, end: 0 }, tokens: compilePattern(source) };
  return [
    matchesPattern(p, 'torch/nn/linear.py'),
    matchesPattern(p, 'README.md'),
    matchesPattern(p, 'docs/index.md'),
    matchesPattern(p, '.github/workflows/ci.yml'),
  ];
}

describe('merge rule patterns (trymerge semantics)', () => {
  it('* stays inside a path segment, ** crosses them, and matching is anchored at the start only', () => {
    assert.deepEqual(pattern('torch/*'), [true, false, false, false]);
    assert.deepEqual(pattern('torch/nn/**'), [true, false, false, false]);
    assert.deepEqual(pattern('*.md'), [false, true, false, false]);
    assert.deepEqual(pattern('**/*.md'), [false, false, true, false]);
    assert.deepEqual(pattern('**.md'), [false, true, true, false]);
    assert.deepEqual(pattern('.github/**'), [false, false, false, true]);
    assert.deepEqual(pattern('docs'), [false, false, true, false]);
    assert.deepEqual(pattern('t?rch/nn'), [true, false, false, false]);
    assert.deepEqual(pattern('*'), [true, true, true, true]);
    assert.deepEqual(pattern('.github/workflows/ci.yml'), [false, false, false, true]);
    assert.deepEqual(pattern('torch.nn'), [false, false, false, false]);
  });

  it('matches a long pattern of stars against a long path in linear time (no backtracking)', () => {
    const p = {
      source: '',
      span: { start: 0, end: 0 },
      tokens: compilePattern(`${'*a'.repeat(200)}b`),
    };
    assert.equal(matchesPattern(p, 'a'.repeat(4000)), false);
  });
});

describe('merge_rules.yaml with bad patterns, anchors or shapes', () => {
  const codes = (text: string): string[] =>
    parseMergeRules(text, DEFAULT_LIMITS).problems.map((p) => p.code);

  it('rejects what trymerge would reject, with a code per problem', () => {
    assert.deepEqual(codes('- name: a\n  patterns: ["torch/[ab]/*"]\n  approved_by: [x]\n'), [
      'BAD_PATTERN',
    ]);
    assert.deepEqual(codes('- name: a\n  patterns: ["{a,b}"]\n  approved_by: [x]\n'), [
      'BAD_PATTERN',
    ]);
    assert.deepEqual(codes('- name: a\n  patterns: [""]\n  approved_by: [x]\n'), ['BAD_PATTERN']);
    assert.deepEqual(codes('- name: a\n  patterns: [a]\n  approved_by: ["../etc"]\n'), [
      'BAD_APPROVER',
    ]);
    assert.deepEqual(codes('name: a\npatterns: [a]\n'), ['BAD_STRUCTURE']);
    assert.deepEqual(codes('- name: a\n  patterns: a\n'), ['BAD_STRUCTURE']);
    assert.deepEqual(codes('- name: a\n  patterns: [a]\n  ignore_flaky_failures: maybe\n'), [
      'BAD_STRUCTURE',
    ]);
    assert.deepEqual(codes('- name: a\n  patterns: [a\n'), ['BAD_YAML']);
  });

  it('bounds anchors: an undefined alias is an error, an alias bomb hits the limit', () => {
    assert.deepEqual(codes('- name: a\n  patterns: *nowhere\n'), ['BAD_YAML']);
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n');
    assert.deepEqual(codes(bomb), ['LIMIT_EXCEEDED']);
    // Anchors used sensibly are fine.
    const shared =
      '- name: a\n  patterns: [a]\n  approved_by: &owners [x, org/y]\n- name: b\n  patterns: [b]\n  approved_by: *owners\n';
    const parsed = parseMergeRules(shared, DEFAULT_LIMITS);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.rules[1]?.approvedBy.map((a) => a.value),
      ['x', 'org/y'],
    );
  });
});

describe('merge-check against a local GitHub API', () => {
  let server: FakeGitHub;
  let dir: string;
  before(async () => {
    server = await new FakeGitHub().start();
    dir = mkdtempSync(join(tmpdir(), 'torchward-merge-'));
    writeFileSync(join(dir, 'merge_rules.yaml'), RULES);
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.seen.length = 0;
    // Team membership: erin is in infra, bob in nn-team, frank's invitation is pending.
    server
      .on(`/orgs/${OWNER}/teams/infra/memberships/erin`, { json: membership('active') })
      .on(`/orgs/${OWNER}/teams/nn-team/memberships/bob`, { json: membership('active') })
      .on(`/orgs/${OWNER}/teams/nn-team/memberships/frank`, { json: membership('pending') });
  });

  /** Serves PR `n` with these files, reviews and check runs. */
  function servePr(n: number, files: string[], reviews: unknown[], checks: unknown[]): void {
    server
      .on(`${P}/pulls/${n}`, {
        json: {
          ...pullRequest(n, 'carol', files.length),
          head: { sha: HEAD, ref: 'feature', label: 'x:feature' },
        },
      })
      .on(
        `${P}/pulls/${n}/files`,
        paged(
          files.map((f) => changedFile(f)),
          { perPage: 100 },
        ),
      )
      .on(`${P}/pulls/${n}/reviews`, paged(reviews))
      .on(`${P}/commits/${HEAD}/check-runs`, paged(checks, { key: 'check_runs' }));
  }

  const passing = [
    checkRun(1, 'Lint', 'success'),
    checkRun(2, 'EasyCLA', 'success'),
    checkRun(3, 'pull / linux-test (gcc, 1)', 'success'),
  ];

  async function gate(
    n: number,
    format = 'text',
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return runCli(
      [
        'merge-check',
        '--rules',
        join(dir, 'merge_rules.yaml'),
        `${OWNER}/${REPO}#${n}`,
        '--api-url',
        server.url,
        '-f',
        format,
      ],
      { GITHUB_TOKEN: TOKEN },
    );
  }

  it('a PR across three rules, each satisfied (user and team approvals), is mergeable', async () => {
    servePr(
      1,
      ['torch/nn/linear.py', '.github/workflows/ci.yml', 'README.md'],
      [
        review('alice', 'APPROVED', HEAD),
        review('erin', 'APPROVED', HEAD),
        review('dave', 'APPROVED', HEAD),
      ],
      passing,
    );
    const r = await gate(1);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /governs {2}rule "CI infra": approved by erin/);
    assert.match(
      r.stdout,
      /governs {2}rule "NN": approved by alice \(may approve: alice, torchward-test\/nn-team\)/,
    );
    assert.match(r.stdout, /mergeable: every changed file/);
    assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
    // Only approvers' memberships of teams of rules that apply were looked up.
    assert.equal(server.hits(`/orgs/${OWNER}/teams/infra/memberships/erin`), 1);
    const json = JSON.parse((await gate(1, 'json')).stdout);
    assert.equal(json.mergeable, true);
    assert.deepEqual(
      json.files.map((f: { governedBy: string }) => f.governedBy),
      ['NN', 'CI infra', 'Docs'],
    );
  });

  it('a stale approval (on an older commit) does not count', async () => {
    servePr(2, ['torch/nn/linear.py'], [review('alice', 'APPROVED', OLD_HEAD)], passing);
    const r = await gate(2);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /alice APPROVED \(stale: given on an older commit\)/);
    assert.match(
      r.stdout,
      /unmet {4}rule "NN": missing an approval from one of: alice, torchward-test\/nn-team/,
    );
  });

  it('the latest review per reviewer counts: a later change request withdraws, a later comment does not', async () => {
    servePr(
      3,
      ['torch/nn/linear.py'],
      [
        review('bob', 'APPROVED', HEAD),
        review('bob', 'CHANGES_REQUESTED', HEAD),
        review('alice', 'CHANGES_REQUESTED', HEAD),
      ],
      passing,
    );
    assert.equal((await gate(3)).code, 1);
    servePr(
      3,
      ['torch/nn/linear.py'],
      [
        review('bob', 'CHANGES_REQUESTED', HEAD),
        review('bob', 'APPROVED', HEAD),
        review('bob', 'COMMENTED', HEAD),
      ],
      passing,
    );
    const r = await gate(3);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /approved by bob/);
  });

  it('team approvals need an active membership; the author cannot approve', async () => {
    servePr(
      4,
      ['torch/nn/linear.py'],
      [review('frank', 'APPROVED', HEAD), review('carol', 'APPROVED', HEAD)],
      passing,
    );
    const r = await gate(4);
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, /carol APPROVED/);
  });

  it('a failing mandatory check blocks its rule; a flaky one is ignored only where the rule allows', async () => {
    servePr(
      5,
      ['torch/nn/linear.py', '.ci/run'],
      [review('alice', 'APPROVED', HEAD), review('erin', 'APPROVED', HEAD)],
      [
        checkRun(10, 'Lint', 'success'),
        checkRun(11, 'Lint', 'failure'),
        checkRun(12, 'EasyCLA', 'success'),
        checkRun(13, 'pull / linux-test (gcc, 1)', 'success'),
        checkRun(14, 'pull / linux-test (gcc, 1)', 'failure'),
      ],
    );
    const r = await gate(5);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /rule "CI infra": missing check "Lint" \(failure\)/);
    assert.match(
      r.stdout,
      /governs {2}rule "NN": approved by alice; flaky failures ignored: pull \/ linux-test \(gcc, 1\)/,
    );
  });

  it('a missing or pending mandatory check blocks its rule', async () => {
    servePr(
      6,
      ['.github/workflows/ci.yml'],
      [review('erin', 'APPROVED', HEAD)],
      [checkRun(20, 'Lint', null, 'in_progress')],
    );
    const r = await gate(6);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /check "Lint" \(in_progress\); check "EasyCLA" \(not run\)/);
  });

  it('a file no rule covers blocks the merge', async () => {
    servePr(7, ['setup.py', 'README.md'], [review('dave', 'APPROVED', HEAD)], passing);
    const r = await gate(7);
    assert.equal(r.code, 1);
    assert.match(r.stdout, / {2}setup\.py\n {4}missing {2}no rule covers this file/);
    assert.match(r.stdout, /NOT mergeable: 1 of 2 file\(s\)/);
  });

  it('reads every page of the changed files', async () => {
    const files = Array.from({ length: 250 }, (_, i) => `docs/page-${i}.md`);
    servePr(8, files, [review('dave', 'APPROVED', HEAD)], passing);
    const r = await gate(8, 'json');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).files.length, 250);
    assert.equal(server.hits(`${P}/pulls/8/files`), 3);
  });

  it('a renamed file must be covered at its old path too', async () => {
    server
      .on(`${P}/pulls/9`, {
        json: { ...pullRequest(9, 'carol', 1), head: { sha: HEAD, ref: 'f', label: 'x:f' } },
      })
      .on(`${P}/pulls/9/files`, paged([changedFile('docs/moved.md', 'torch/nn/secret.py')]))
      .on(`${P}/pulls/9/reviews`, paged([review('dave', 'APPROVED', HEAD)]))
      .on(`${P}/commits/${HEAD}/check-runs`, paged(passing, { key: 'check_runs' }));
    const r = await gate(9);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /torch\/nn\/secret\.py\n {4}unmet {4}rule "NN"/);
  });

  it('an unreadable pull request, malformed page or bad rules file exits 3; a bad reference exits 2', async () => {
    assert.equal((await gate(404)).code, 3);
    server
      .on(`${P}/pulls/10`, {
        json: { ...pullRequest(10, 'carol', 1), head: { sha: HEAD, ref: 'f', label: 'x:f' } },
      })
      .on(`${P}/pulls/10/files`, { raw: '[{"filename": "torch/nn/a.py"}, {"filena' });
    assert.equal((await gate(10)).code, 3);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, '- name: a\n  patterns: ["torch/(x)"]\n  approved_by: [x]\n');
    const r = await runCli(
      ['merge-check', '--rules', bad, `${OWNER}/${REPO}#1`, '--api-url', server.url],
      { GITHUB_TOKEN: TOKEN },
    );
    assert.equal(r.code, 3);
    assert.match(r.stderr, /bad\.yaml:2:14: BAD_PATTERN/);
    for (const ref of [
      '../etc#1',
      `${OWNER}/${REPO}#0`,
      `${OWNER}/${REPO}#1/../2`,
      `${OWNER}/${REPO}`,
    ]) {
      const u = await runCli(['merge-check', '--rules', bad, ref, '--api-url', server.url], {
        GITHUB_TOKEN: TOKEN,
      });
      assert.equal(u.code, 2, ref);
    }
  });
});

describe('merge-check --lint', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torchward-lint-'));
    for (const f of [
      'torch/nn/linear.py',
      'docs/index.md',
      'README.md',
      '.github/workflows/ci.yml',
    ]) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), 'x\n');
    }
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports patterns matching nothing, rules without approvers and overlapping catch-alls', async () => {
    writeFileSync(
      join(dir, 'rules.yaml'),
      [
        '- name: NN',
        '  patterns: [torch/nn/**, torch/legacy/**]',
        '  approved_by: [alice]',
        '- name: Docs',
        '  patterns: [docs/**]',
        '- name: superuser',
        '  patterns: ["*"]',
        '  approved_by: [org/admins]',
        '- name: fallback',
        '  patterns: ["**"]',
        '  approved_by: [org/everyone]',
        '',
      ].join('\n'),
    );
    const r = await runCli(['merge-check', '--lint', 'rules.yaml', '-f', 'json'], {}, dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const findings = JSON.parse(r.stdout).findings.map(
      (f: { code: string; line: number }) => `${f.line} ${f.code}`,
    );
    assert.deepEqual(findings, ['2 no-match', '4 no-approvers', '10 overlapping-catch-all']);
  });

  it('is silent on a sound rules file, using the git index when the tree is a repository', async () => {
    writeFileSync(
      join(dir, 'good.yaml'),
      '- name: all\n  patterns: ["*"]\n  approved_by: [org/admins]\n- name: nn\n  patterns: [torch/nn/**]\n  approved_by: [alice]\n',
    );
    execFileSync('git', ['init', '-q', dir]);
    execFileSync('git', ['-C', dir, 'add', 'torch/nn/linear.py']);
    const r = await runCli(['merge-check', '--lint', 'good.yaml'], {}, dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /0 finding\(s\) in 2 rule\(s\), matched against 1 file\(s\)/);
  });
});

describe('the merge workflow template', () => {
  const path = 'examples/merge-gate/.github/workflows/torchward-merge.yml';

  it("passes torchward's own workflow audit", async () => {
    const [result] = await auditWorkflowFiles([{ path, uri: path }], {
      limits: DEFAULT_LIMITS,
      config: {},
      repoRoot: 'examples/merge-gate',
    });
    // The one exception the template documents inline (a pinned global npm install) stays
    // suppressed with its reason; nothing else may be reported.
    assert.deepEqual(
      result?.findings
        .filter((f) => f.suppressed === undefined)
        .map((f) => `${f.ruleId}: ${f.message}`),
      [],
    );
    assert.deepEqual(
      result?.findings.map((f) => `${f.ruleId} ${f.suppressed ?? ''}`),
      ['ci/adhoc-packages inline'],
    );
  });

  it('is recognised as a merge job: without its environment the audit objects', async () => {
    const text = readFileSync(path, 'utf8');
    const tmp = mkdtempSync(join(tmpdir(), 'torchward-tpl-'));
    try {
      mkdirSync(join(tmp, '.github/workflows'), { recursive: true });
      const copy = join(tmp, '.github/workflows/merge.yml');
      writeFileSync(
        copy,
        text
          .replace('    environment: merge-bot\n', '')
          .replace('runs-on: ubuntu-24.04', 'runs-on: [self-hosted, linux]'),
      );
      const [result] = await auditWorkflowFiles([{ path: copy, uri: 'merge.yml' }], {
        limits: DEFAULT_LIMITS,
        config: {},
        repoRoot: tmp,
      });
      const ids = result?.findings.map((f) => `${f.ruleId} ${f.messageId}`) ?? [];
      assert.ok(ids.includes('ci/merge-job-hardening noEnvironment'), ids.join('\n'));
      assert.ok(ids.includes('ci/merge-job-hardening persistentRunner'), ids.join('\n'));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('is the same template docs/merge-gate.md shows', () => {
    const doc = readFileSync('docs/merge-gate.md', 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.equal(block, readFileSync(path, 'utf8'));
  });
});
