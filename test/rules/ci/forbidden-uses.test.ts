import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { ConfigError } from '../../../src/engine/config-model.js';
import { parseConfig } from '../../../src/engine/config.js';
import {
  auditWorkflowFiles,
  parseWorkflowAuditConfig,
} from '../../../src/engine/workflow-audit.js';
import rule from '../../../src/rules/ci/forbidden-uses.js';
import { parseForbiddenUses } from '../../../src/workflows/forbidden-uses.js';
import { testRule } from '../../helpers/test-rule.js';

// The steps zizmor's forbidden-uses test workflow uses, plus a sub-path, a reusable workflow, a
// local action and a docker image.
const MENAGERIE = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-python@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
      - uses: actions/checkout@v4
      - uses: github/codeql-action/init@v3
      - uses: ./local-action
      - uses: docker://alpine:3.20
  b:
    uses: Octo-Org/workflows/.github/workflows/ci.yml@v1
`;
const policy = (value: unknown) => parseForbiddenUses(value, 'forbidden-uses');

testRule(rule, {
  valid: [
    // No list configured: nothing is forbidden.
    MENAGERIE,
    { code: MENAGERIE, forbiddenUses: policy({ allow: ['*'] }) },
    { code: MENAGERIE, forbiddenUses: policy({ deny: ['evil/*'] }) },
    {
      code: MENAGERIE,
      forbiddenUses: policy({
        allow: [
          'actions/*',
          'pypa/gh-action-pypi-publish',
          'github/codeql-action/*',
          'octo-org/workflows/*',
        ],
      }),
    },
    // A ref pattern matches that ref only.
    { code: MENAGERIE, forbiddenUses: policy({ deny: ['actions/checkout@v3'] }) },
  ],
  invalid: [
    {
      code: MENAGERIE,
      forbiddenUses: policy({ deny: ['*'] }),
      errors: [
        { messageId: 'forbidden', line: 6, column: 15 },
        { messageId: 'forbidden', line: 7, column: 15 },
        { messageId: 'forbidden', line: 8, column: 15 },
        { messageId: 'forbidden', line: 9, column: 15 },
        { messageId: 'forbidden', line: 13, column: 11 },
      ],
    },
    {
      // owner/repo is the root action only; owner/repo/* takes sub-paths too. Owners compare
      // case-insensitively.
      code: MENAGERIE,
      forbiddenUses: policy({ allow: ['actions/checkout', 'github/codeql-action', 'OCTO-ORG/*'] }),
      errors: [
        { messageId: 'forbidden', line: 6, column: 15 },
        { messageId: 'forbidden', line: 7, column: 15 },
        { messageId: 'forbidden', line: 9, column: 15 },
      ],
    },
    {
      code: MENAGERIE,
      forbiddenUses: policy({
        deny: [
          'actions/setup-python@v4',
          'pypa/gh-action-pypi-publish@release/v1',
          'github/codeql-action/init',
        ],
      }),
      errors: [
        { messageId: 'forbidden', line: 6, column: 15 },
        { messageId: 'forbidden', line: 7, column: 15 },
        { messageId: 'forbidden', line: 9, column: 15 },
      ],
    },
  ],
});

test('ci/forbidden-uses: malformed lists and patterns are refused, never ignored', () => {
  for (const bad of [
    { allow: ['*/*'] },
    { allow: ['actions/*/sub'] },
    { deny: ['actions/*@v1'] },
    { deny: ['actions/checkout/*@v4'] },
    { deny: ['actions/check*'] },
    { deny: ['checkout'] },
    { deny: [42] },
    { allow: ['a/b'], deny: ['c/d'] },
    { 'mystery-variant': ['actions/*'] },
    ['actions/*'],
  ]) {
    assert.throws(() => policy(bad), TypeError, JSON.stringify(bad));
    assert.throws(() => parseWorkflowAuditConfig({ 'forbidden-uses': bad }), ConfigError);
  }
  assert.throws(
    () => parseConfig('forbidden-uses:\n  allow: ["*/*"]\n', 'torchward.yml'),
    (error: unknown) =>
      error instanceof ConfigError && error.message.includes('not a uses pattern'),
  );
});

test('ci/forbidden-uses: torchward.yml `forbidden-uses` reaches the workflow audit', async () => {
  const config = parseConfig('forbidden-uses:\n  deny: [pypa/*]\n', 'torchward.yml');
  assert.deepEqual(config.forbiddenUses, { deny: ['pypa/*'] });
  const dir = await mkdtemp(join(tmpdir(), 'torchward-forbidden-'));
  try {
    const path = join(dir, 'wf.yml');
    await writeFile(path, MENAGERIE);
    const [result] = await auditWorkflowFiles([{ path, uri: 'wf.yml' }], {
      limits: DEFAULT_LIMITS,
      config: { forbiddenUses: { deny: ['pypa/*'] } },
    });
    const hits = result?.findings.filter((f) => f.ruleId === 'ci/forbidden-uses') ?? [];
    assert.equal(hits.length, 1);
    assert.match(
      hits[0]?.message ?? '',
      /pypa\/gh-action-pypi-publish@release\/v1.*deny pattern `pypa\/\*`/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
