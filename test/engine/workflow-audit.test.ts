import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeLimits } from '../../src/core/limits.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import {
  auditWorkflowFiles,
  isWorkflowPath,
  parseWorkflowAuditConfig,
} from '../../src/engine/workflow-audit.js';
import { ConfigError, parseConfig } from '../../src/engine/config.js';

const root = mkdtempSync(join(tmpdir(), 'torchward-wf-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(rel: string, text: string | Uint8Array): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function audit(rel: string, config = {}, limits = DEFAULT_LIMITS) {
  const [result] = await auditWorkflowFiles([{ path: join(root, rel), uri: rel }], {
    limits,
    config,
    repoRoot: root,
  });
  assert.ok(result);
  return result;
}

describe('isWorkflowPath', () => {
  it('accepts workflows directly under .github/workflows and action files anywhere', () => {
    assert.equal(isWorkflowPath('.github/workflows/ci.yml'), true);
    assert.equal(isWorkflowPath('repo/.github/workflows/release.yaml'), true);
    assert.equal(isWorkflowPath('action.yml'), true);
    assert.equal(isWorkflowPath('tools/setup/action.yaml'), true);
  });
  it('rejects other YAML', () => {
    assert.equal(isWorkflowPath('.github/workflows/sub/ci.yml'), false);
    assert.equal(isWorkflowPath('dependabot.yml'), false);
    assert.equal(isWorkflowPath('.github/workflows/dependabot.yml'), true);
  });

  it('accepts the Dependabot and pre-commit configurations the audit reads', () => {
    assert.equal(isWorkflowPath('.github/dependabot.yml'), true);
    assert.equal(isWorkflowPath('repo/.github/dependabot.yaml'), true);
    assert.equal(isWorkflowPath('.pre-commit-config.yaml'), true);
    assert.equal(isWorkflowPath('tools/.pre-commit-config.yml'), true);
    assert.equal(isWorkflowPath('pre-commit-config.yaml'), false);
    assert.equal(isWorkflowPath('workflows/ci.yml'), false);
    assert.equal(isWorkflowPath('.github/workflows/README.md'), false);
  });
});

describe('parseWorkflowAuditConfig', () => {
  it('keeps runners and ignores', () => {
    assert.deepEqual(
      parseWorkflowAuditConfig({
        runners: { ephemeral: ['linux.*'], persistent: ['*.nonephemeral'] },
        ignore: {
          'ci/unpinned-action': true,
          'ci/mutable-image-tag': ['.github/workflows/old-*.yml'],
        },
      }),
      {
        runners: { ephemeral: ['linux.*'], persistent: ['*.nonephemeral'] },
        ignore: {
          'ci/unpinned-action': true,
          'ci/mutable-image-tag': ['.github/workflows/old-*.yml'],
        },
      },
    );
    assert.deepEqual(parseWorkflowAuditConfig(undefined), {
      runners: { ephemeral: [], persistent: [] },
      ignore: {},
    });
  });
  it('refuses what the one config parser refuses, with its messages', () => {
    // The same mapping as YAML through parseConfig (what `scan --config` reads) and as plain data
    // through parseWorkflowAuditConfig: one parser, so one ConfigError message for each.
    for (const [yaml, data, message] of [
      ['- a', [], 't.yml: the top level must be a mapping'],
      ['runners: {ephemeral: x}', { runners: { ephemeral: 'x' } }, 'runners.ephemeral must be'],
      [
        'runners: {other: []}',
        { runners: { other: [] } },
        "t.yml: runners: unknown key 'other' (known: ephemeral, persistent)",
      ],
      [
        'ignore: {ci/x: false}',
        { ignore: { 'ci/x': false } },
        't.yml: ignore.ci/x must be true or a list of path globs',
      ],
      [
        'forbiddenUses: {deny: [a/b]}',
        { forbiddenUses: { deny: ['a/b'] } },
        "unknown key 'forbiddenUses'",
      ],
      [
        'forbidden-uses: {deny: ["*/*"]}',
        { 'forbidden-uses': { deny: ['*/*'] } },
        'not a uses pattern',
      ],
    ] as const) {
      const fromText = catchMessage(() => parseConfig(yaml, 't.yml'));
      const fromData = catchMessage(() => parseWorkflowAuditConfig(data, 't.yml'));
      assert.ok(fromText.includes(message), `${yaml}: ${fromText}`);
      assert.equal(fromData, fromText, yaml);
    }
  });
});

function catchMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('no ConfigError');
}

describe('auditWorkflowFiles', () => {
  it('reports with uri, char unit, span and YAML path', async () => {
    const text =
      'on: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n';
    write('.github/workflows/a.yml', text);
    const result = await audit('.github/workflows/a.yml');
    assert.equal(result.text, text);
    assert.deepEqual(
      result.findings.map((f) => [
        f.ruleId,
        f.primary.uri,
        f.primary.unit,
        text.slice(f.primary.span.start, f.primary.span.end),
        f.primary.path,
      ]),
      [
        [
          'ci/unpinned-action',
          '.github/workflows/a.yml',
          'char',
          'actions/checkout@v4',
          ['jobs', 'build', 'steps', 0, 'uses'],
        ],
      ],
    );
    assert.equal(result.findings[0]?.verdict, undefined);
    assert.deepEqual(result.internalErrors, []);
  });

  it('keeps inline-suppressed findings, marked, with the reason (same line or line above)', async () => {
    write(
      '.github/workflows/b.yml',
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      # torchward: ignore[ci/unpinned-action] vendored, reviewed\n      - uses: octo/tool@v1\n      - uses: octo/other@v2 # torchward: ignore[ci/mutable-image-tag, ci/unpinned-action]\n      - uses: octo/third@v3\n',
    );
    const result = await audit('.github/workflows/b.yml');
    assert.deepEqual(
      result.findings.map((f) => [f.ruleId, f.suppressed, f.suppressionReason]),
      [
        ['ci/unpinned-action', 'inline', 'vendored, reviewed'],
        ['ci/unpinned-action', 'inline', 'inline ignore comment'],
        ['ci/unpinned-action', undefined, undefined],
      ],
    );
  });

  it('honours ignore comments inside run blocks, bare ids and zizmor comments; not in quotes', async () => {
    write(
      '.github/workflows/c.yml',
      [
        'on: pull_request_target',
        'permissions: {}',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          # torchward: ignore[script-injection] title is echoed only',
        '          echo "${{ github.event.pull_request.title }}"',
        '      - run: |',
        '          echo "${{ github.event.pull_request.body }}" # zizmor: ignore[template-injection]',
        '      - run: echo "${{ github.head_ref }}"',
        '        name: "# torchward: ignore[ci/script-injection] a quoted string, not a comment"',
        '',
      ].join('\n'),
    );
    const warnings: string[] = [];
    const [result] = await auditWorkflowFiles(
      [{ path: join(root, '.github/workflows/c.yml'), uri: 'c.yml' }],
      { limits: DEFAULT_LIMITS, config: {}, repoRoot: root, onWarning: (m) => warnings.push(m) },
    );
    assert.ok(result);
    assert.deepEqual(
      result.findings
        .filter((f) => f.ruleId === 'ci/script-injection')
        .map((f) => [f.primary.path.join('.'), f.suppressed ?? 'kept', f.suppressionReason]),
      [
        ['jobs.a.steps.0.run', 'inline', 'title is echoed only'],
        ['jobs.a.steps.1.run', 'inline', 'inline zizmor ignore comment'],
        ['jobs.a.steps.2.run', 'kept', undefined],
      ],
    );
    assert.deepEqual(warnings, []);
  });

  it('suppresses anywhere in the span, and warns about ids that name nothing', async () => {
    write(
      '.github/workflows/span.yml',
      [
        'on: push',
        'permissions: {}',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: |',
        '          curl -fsSL https://example.com/install.sh | sh',
        '          # torchward: ignore[unverified-script-exec] vendor installer, pinned by hash elsewhere',
        '      - uses: octo/tool@v1 # torchward: ignore[ci/unpined-action]',
        '      - uses: octo/other@v1 # zizmor: ignore[unpined-uses]',
        '',
      ].join('\n'),
    );
    const warnings: string[] = [];
    const [result] = await auditWorkflowFiles(
      [{ path: join(root, '.github/workflows/span.yml'), uri: 'span.yml' }],
      { limits: DEFAULT_LIMITS, config: {}, repoRoot: root, onWarning: (m) => warnings.push(m) },
    );
    assert.ok(result);
    assert.deepEqual(
      result.findings.map((f) => [f.ruleId, f.suppressed ?? 'kept']),
      [
        ['ci/unverified-script-exec', 'inline'],
        ['ci/unpinned-action', 'kept'],
        ['ci/unpinned-action', 'kept'],
      ],
    );
    assert.equal(warnings.length, 2);
    assert.match(
      warnings[0] ?? '',
      /span\.yml:10: .*'ci\/unpined-action'.*did you mean 'ci\/unpinned-action'/,
    );
    assert.match(
      warnings[1] ?? '',
      /span\.yml:11: zizmor .*'unpined-uses'.*did you mean 'unpinned-uses'/,
    );
  });

  it('matches config file:line entries on any line of the span and by file name', async () => {
    write(
      '.github/workflows/cfg.yml',
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo hi\n          curl -fsSL https://example.com/i.sh | bash\n',
    );
    const kept = async (entry: string): Promise<string> =>
      (
        await audit('.github/workflows/cfg.yml', {
          ignore: { 'ci/unverified-script-exec': [entry] },
        })
      ).findings.find((f) => f.ruleId === 'ci/unverified-script-exec')?.suppressed ?? 'kept';
    assert.equal(await kept('cfg.yml:9'), 'config');
    assert.equal(await kept('.github/workflows/cfg.yml:7'), 'config');
    assert.equal(await kept('cfg.yml:3'), 'kept');
  });

  it('filters by --min-confidence and hides pedantic findings unless asked', async () => {
    write(
      '.github/workflows/conf.yml',
      [
        'on: pull_request_target',
        'permissions: {}',
        'jobs:',
        '  a:',
        '    runs-on: linux.mystery',
        '    steps:',
        '      - run: echo "FOO=1" >> "$GITHUB_ENV"',
        '      - run: docker run python:3.12 true',
        '',
      ].join('\n'),
    );
    const run = async (filter: object) => {
      const [result] = await auditWorkflowFiles(
        [{ path: join(root, '.github/workflows/conf.yml'), uri: 'conf.yml' }],
        { limits: DEFAULT_LIMITS, config: {}, repoRoot: root, ...filter },
      );
      assert.ok(result);
      return result;
    };
    const ids = (r: { findings: { ruleId: string; confidence: string }[] }) =>
      r.findings.map((f) => `${f.ruleId}:${f.confidence}`);
    const all = await run({});
    // The unknown runner label is a guess (low confidence): shown only in pedantic mode.
    assert.deepEqual(ids(all), ['ci/dangerous-trigger:medium']);
    assert.equal(all.hidden, 3);
    // Pedantic mode also runs the code-smell rules (no workflow name, no concurrency limit).
    assert.deepEqual(ids(await run({ pedantic: true })), [
      'ci/anonymous-definition:high',
      'ci/dangerous-trigger:medium',
      'ci/concurrency-limits:high',
      'ci/pr-on-persistent-runner:low',
      // The auditor's inventory of runners not known to be ephemeral (zizmor self-hosted-runner).
      'ci/self-hosted-runner:low',
      'ci/github-env:low',
      'ci/mutable-image-tag:medium',
    ]);
    assert.deepEqual(ids(await run({ minConfidence: 'medium' })), ['ci/dangerous-trigger:medium']);
  });

  it('applies config ignores everywhere or by path glob', async () => {
    write(
      '.github/workflows/old-d.yml',
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: node:20\n    steps:\n      - uses: octo/tool@v1\n',
    );
    const result = await audit('.github/workflows/old-d.yml', {
      ignore: {
        'ci/unpinned-action': true,
        'ci/mutable-image-tag': ['.github/workflows/old-*.yml'],
      },
    });
    assert.deepEqual(
      result.findings.map((f) => [f.ruleId, f.suppressed, f.suppressionReason]),
      [
        [
          'ci/mutable-image-tag',
          'config',
          'config: ignore ci/mutable-image-tag for .github/workflows/old-*.yml',
        ],
        ['ci/unpinned-action', 'config', 'config: ignore ci/unpinned-action'],
      ],
    );
  });

  it('applies config ignores pinned to a line and column', async () => {
    write(
      '.github/workflows/g.yml',
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: octo/a@v1\n      - uses: octo/b@v1\n      - uses: octo/c@v1\n',
    );
    const result = await audit('.github/workflows/g.yml', {
      ignore: {
        'ci/unpinned-action': [
          '.github/workflows/g.yml:7',
          '.github/workflows/g.yml:8:9',
          '**/g.yml:9:15',
        ],
      },
    });
    assert.deepEqual(
      result.findings.map((f) => f.suppressed ?? 'kept'),
      ['config', 'kept', 'config'],
    );
  });

  it('follows local reusable workflows and composite actions, and reads actionlint labels', async () => {
    write('.github/actionlint.yaml', 'self-hosted-runner:\n  labels:\n    - gpu-box-*\n');
    write(
      '.github/actions/build/action.yml',
      'runs:\n  using: composite\n  steps:\n    - run: make\n      shell: bash\n',
    );
    write(
      '.github/workflows/_build.yml',
      'on:\n  workflow_call:\n    inputs:\n      runner:\n        type: string\n        default: ubuntu-latest\npermissions: {}\njobs:\n  b:\n    runs-on: ${{ inputs.runner }}\n    steps: []\n',
    );
    write(
      '.github/workflows/e.yml',
      'on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n          persist-credentials: false\n      - uses: ./.github/actions/build\n  c:\n    uses: ./.github/workflows/_build.yml\n    with:\n      runner: gpu-box-1\n',
    );
    const result = await audit('.github/workflows/e.yml', { runners: {} });
    const ids = result.findings.map((f) => `${f.ruleId}:${f.primary.path.join('.')}`);
    assert.deepEqual(ids, [
      'ci/dangerous-trigger:on',
      'ci/untrusted-checkout-exec:jobs.a.steps.0.with.ref',
      'ci/pr-on-persistent-runner:jobs.c.uses',
    ]);
    assert.match(result.findings[2]?.message ?? '', /actionlint/);
  });

  it('reads is_ephemeral flags from .github/scale-config.yml', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'torchward-scale-'));
    try {
      mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
      writeFileSync(
        join(repo, '.github', 'scale-config.yml'),
        'runner_types:\n  linux.2xlarge:\n    is_ephemeral: false\n  linux.4xlarge:\n    is_ephemeral: true\n',
      );
      const path = join(repo, '.github', 'workflows', 'pull.yml');
      writeFileSync(
        path,
        'on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: linux.4xlarge\n    steps: []\n  b:\n    runs-on: linux.2xlarge\n    steps: []\n',
      );
      const [result] = await auditWorkflowFiles([{ path, uri: 'pull.yml' }], {
        limits: DEFAULT_LIMITS,
        config: {},
      });
      assert.ok(result);
      assert.deepEqual(
        result.findings.map((f) => [f.ruleId, f.primary.path.join('.')]),
        [['ci/pr-on-persistent-runner', 'jobs.b.runs-on']],
      );
      assert.match(result.findings[0]?.message ?? '', /scale-config/);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('does not follow a local reference out of the repository', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'torchward-outside-'));
    try {
      writeFileSync(
        join(outside, 'action.yml'),
        'runs:\n  using: composite\n  steps:\n    - run: make\n',
      );
      symlinkSync(outside, join(root, 'escape'));
      write(
        '.github/workflows/f.yml',
        'on: pull_request_target\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh pr checkout 1\n      - uses: ./escape\n      - uses: ./../../etc\n',
      );
      const result = await audit('.github/workflows/f.yml');
      // Neither target is read; both are reported as not audited, not silently skipped.
      assert.deepEqual(
        result.findings.map((f) => `${f.ruleId}:${f.messageId}`),
        [
          'ci/dangerous-trigger:trigger',
          'ci/untrusted-checkout-exec:checkoutExec',
          'ci/malformed-input:unresolved',
          'ci/malformed-input:unresolved',
        ],
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('turns unreadable input into ci/malformed-input findings', async () => {
    write('.github/workflows/utf8.yml', new Uint8Array([0x6f, 0x6e, 0x3a, 0x20, 0xff, 0x0a]));
    write('.github/workflows/list.yml', '- a\n- b\n');
    write('.github/workflows/big.yml', `on: push\n# ${'x'.repeat(200)}\n`);
    write('.github/workflows/dup.yml', 'on: push\non: pull_request\njobs: {}\n');
    const limits = makeLimits({ maxTextBytes: 100 });
    const results = await auditWorkflowFiles(
      ['utf8', 'list', 'big', 'dup', 'missing'].map((name) => ({
        path: join(root, '.github/workflows', `${name}.yml`),
        uri: `${name}.yml`,
      })),
      { limits, config: {}, repoRoot: root },
    );
    assert.deepEqual(
      results.map((r) =>
        r.findings
          .filter((f) => f.ruleId === 'ci/malformed-input')
          .map((f) => f.messageId + ':' + f.message.slice(0, f.message.indexOf(':'))),
      ),
      [
        ['unreadable:The file could not be audited (BAD_UTF8'],
        ['unreadable:The file could not be audited (BAD_STRUCTURE'],
        ['unreadable:The file could not be audited (LIMIT_EXCEEDED'],
        ['yaml:YAML error DUPLICATE_KEY', 'structure:Not a valid workflow (BAD_JOBS)'],
        ['unreadable:The file could not be audited (TRUNCATED'],
      ],
    );
  });

  it('rejects a 200,000-deep flow collection before the YAML parser reads it', async () => {
    write(
      '.github/workflows/deep.yml',
      `on: push\njobs: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`,
    );
    const result = await audit('.github/workflows/deep.yml');
    assert.deepEqual(
      result.findings.map((f) => [f.ruleId, f.messageId, f.message.includes('nesting deeper')]),
      [['ci/malformed-input', 'unreadable', true]],
    );
  });

  it('reports NUL bytes, a null `jobs:` and a duplicated `on:` as malformed', async () => {
    write(
      '.github/workflows/nul.yml',
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \u0000hi\n',
    );
    write('.github/workflows/nulljobs.yml', 'on: push\njobs:\n');
    write(
      '.github/workflows/dupon.yml',
      'on: push\npermissions: {}\non: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n',
    );
    const codes = async (name: string): Promise<string[]> =>
      (await audit(`.github/workflows/${name}.yml`)).findings
        .filter((f) => f.ruleId === 'ci/malformed-input')
        .map((f) => f.message.slice(0, f.message.indexOf(':')));
    assert.deepEqual(await codes('nul'), ['YAML error CONTROL_CHARACTER']);
    assert.deepEqual(await codes('nulljobs'), ['Not a valid workflow (BAD_JOBS)']);
    assert.deepEqual(await codes('dupon'), ['YAML error DUPLICATE_KEY']);
  });

  it('applies the node limit per workflow and audits the rest of the directory', async () => {
    let big = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n';
    for (let i = 0; i < 600; i++) big += `      - run: echo ${i}\n`;
    write('.github/workflows/limit-big.yml', big);
    write(
      '.github/workflows/limit-small.yml',
      'on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n',
    );
    const results = await auditWorkflowFiles(
      ['limit-big', 'limit-small'].map((name) => ({
        path: join(root, '.github/workflows', `${name}.yml`),
        uri: `${name}.yml`,
      })),
      { limits: makeLimits({ maxEntries: 1000 }), config: {}, repoRoot: root },
    );
    assert.deepEqual(
      results.map((r) => r.findings.map((f) => `${f.ruleId}:${f.messageId}`)),
      [['ci/malformed-input:unreadable'], ['ci/script-injection:run']],
    );
  });

  it('resolves nested local actions and reports the ones it cannot read', async () => {
    write(
      '.github/actions/outer/action.yml',
      'runs:\n  using: composite\n  steps:\n    - uses: ./.github/actions/inner\n',
    );
    write(
      '.github/actions/inner/action.yaml',
      'runs:\n  using: composite\n  steps:\n    - run: echo "${{ github.event.issue.title }}"\n      shell: bash\n',
    );
    write(
      '.github/workflows/nested.yml',
      'on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/outer\n      - uses: ./.github/actions/missing\n',
    );
    const result = await audit('.github/workflows/nested.yml');
    assert.deepEqual(
      result.findings.map((f) => `${f.ruleId}:${f.messageId}:${f.primary.path.join('.')}`),
      ['ci/malformed-input:unresolved:jobs.a.steps.1.uses'],
    );
    assert.match(result.findings[0]?.message ?? '', /no readable action\.yml or action\.yaml/);
  });

  it('reports text reused through an alias once', async () => {
    write(
      '.github/workflows/alias.yml',
      'on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - &s\n        run: echo "${{ github.event.issue.title }}"\n      - *s\n',
    );
    const result = await audit('.github/workflows/alias.yml');
    assert.deepEqual(
      result.findings.map((f) => [f.ruleId, f.primary.path.join('.')]),
      [['ci/script-injection', 'jobs.a.steps.0.run']],
    );
  });

  it('bounds alias bombs by maxYamlAliases', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) {
      lines.push(
        `a${i}: &a${i} [*a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}, *a${i - 1}]`,
      );
    }
    write('.github/workflows/bomb.yml', lines.join('\n') + '\n');
    const result = await audit('.github/workflows/bomb.yml');
    assert.deepEqual(
      result.findings.map((f) => f.message.slice(0, f.message.indexOf(':'))),
      ['The file could not be audited (LIMIT_EXCEEDED'],
    );
  });
});

describe('auditWorkflowFiles on crafted fan-out', () => {
  it('matches many ignore comments against many quoted scalars by binary search', async () => {
    // Unclosed and closed ignore comments after quoted values, 20,000 of each: a pairwise
    // comment-by-scalar check would be 4e8 steps.
    const lines = ['on: push', 'permissions: {}', 'env:'];
    for (let i = 0; i < 20_000; i++) {
      lines.push(
        `  k${i}: "v" # torchward: ignore[ci/x`,
        `  m${i}: 'w' # torchward: ignore[ci/y] r`,
      );
    }
    lines.push(
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: o/a@v1 # torchward: ignore[ci/unpinned-action] ok',
    );
    write('.github/workflows/comments.yml', `${lines.join('\n')}\n`);
    const result = await audit('.github/workflows/comments.yml');
    assert.deepEqual(
      result.findings.map((f) => [f.ruleId, f.suppressed]),
      [['ci/unpinned-action', 'inline']],
    );
  });

  it('bounds the expansion of a large reusable workflow called by many jobs', async () => {
    const callee = ['on: workflow_call', 'jobs:'];
    for (let i = 0; i < 3000; i++)
      callee.push(`  j${i}: {runs-on: self-hosted, steps: [{run: make}]}`);
    write('.github/workflows/_fan.yml', `${callee.join('\n')}\n`);
    const caller = ['on: pull_request', 'permissions: {}', 'jobs:'];
    for (let i = 0; i < 3000; i++) caller.push(`  c${i}: {uses: ./.github/workflows/_fan.yml}`);
    write('.github/workflows/fan.yml', `${caller.join('\n')}\n`);
    const result = await audit('.github/workflows/fan.yml');
    // Each expansion costs 6,000 (3,000 jobs and their steps) of the 20,000 budget: the first
    // three callers are judged through the callee, the rest by their `uses:` alone.
    assert.deepEqual(
      result.findings.map((f) => `${f.ruleId} ${f.primary.path.join('.')}`),
      [
        'ci/pr-on-persistent-runner jobs.c0.uses',
        'ci/pr-on-persistent-runner jobs.c1.uses',
        'ci/pr-on-persistent-runner jobs.c2.uses',
      ],
    );
    assert.deepEqual(result.internalErrors, []);
  });
});
