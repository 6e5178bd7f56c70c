// Issue 21 item 3: cases that used to be false alarms, next to the true alarm they resemble.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import artifactPoisoning from '../../../src/rules/ci/artifact-poisoning.js';
import githubEnv from '../../../src/rules/ci/github-env.js';
import insecureCommands from '../../../src/rules/ci/insecure-commands.js';
import mutableImageTag from '../../../src/rules/ci/mutable-image-tag.js';
import prOnPersistent from '../../../src/rules/ci/pr-on-persistent-runner.js';
import publishWithoutEnvironment from '../../../src/rules/ci/publish-without-environment.js';
import releaseBuildCache from '../../../src/rules/ci/release-build-cache.js';
import { runRule } from '../../helpers/test-rule.js';

const ids = (findings: { messageId: string; pedantic?: true; confidence: string }[]) =>
  findings.map((f) => `${f.messageId}${f.pedantic === true ? ':pedantic' : ''}:${f.confidence}`);

describe('precision (issue 21)', () => {
  it('a job that only runs on tag pushes is not a PR job', () => {
    const code = (cond: string) =>
      `on:\n  pull_request:\n  push:\n    tags: [v*]\njobs:\n  a:\n    if: ${cond}\n    runs-on: [self-hosted, linux]\n    steps:\n      - run: make\n`;
    assert.deepEqual(
      ids(runRule(prOnPersistent, { code: code("startsWith(github.ref, 'refs/tags/')") })),
      [],
    );
    assert.deepEqual(
      ids(runRule(prOnPersistent, { code: code("github.event_name == 'pull_request'") })),
      ['pr:medium'],
    );
  });

  it('test-report, telemetry and doc-preview uploads and dry runs are not publishing', () => {
    const job = (run: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${run}\n`;
    for (const run of [
      'aws s3 cp test-reports/ s3://ossci-metrics/test_reports/ --recursive',
      'bash .github/scripts/upload_test_stats.sh',
      'aws s3 sync docs s3://doc-previews/pr/1',
      'cargo publish --dry-run',
      'aws s3 cp dist/ s3://bucket/ --dryrun --recursive',
    ]) {
      assert.deepEqual(runRule(publishWithoutEnvironment, { code: job(run) }), [], run);
    }
    assert.equal(
      runRule(publishWithoutEnvironment, { code: job('aws s3 cp dist/ s3://wheels/ --recursive') })
        .length,
      1,
    );
    const dryInput =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc\n        env:\n          DRY_RUN: "true"\n';
    assert.deepEqual(runRule(publishWithoutEnvironment, { code: dryInput }), []);
  });

  it('constant GITHUB_ENV writes are pedantic; computed ones are not', () => {
    const code = (line: string) =>
      `on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${line}\n`;
    assert.deepEqual(ids(runRule(githubEnv, { code: code('echo "FOO=1" >> "$GITHUB_ENV"') })), [
      'write:pedantic:low',
    ]);
    assert.deepEqual(
      ids(runRule(githubEnv, { code: code('echo "FOO=$(cat f)" >> "$GITHUB_ENV"') })),
      ['write:low'],
    );
  });

  it('ACTIONS_ALLOW_UNSECURE_COMMANDS only when the runner parses it as true', () => {
    const code = (value: string) =>
      `on: push\nenv:\n  ACTIONS_ALLOW_UNSECURE_COMMANDS: ${value}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n`;
    assert.deepEqual(ids(runRule(insecureCommands, { code: code('" TRUE "') })), ['enabled:high']);
    assert.deepEqual(ids(runRule(insecureCommands, { code: code('1') })), []);
    assert.deepEqual(ids(runRule(insecureCommands, { code: code('yes') })), []);
    assert.deepEqual(ids(runRule(insecureCommands, { code: code('${{ inputs.x }}') })), [
      'enabled:low',
    ]);
  });

  it('evaluates `image: ${{ cond && x || "" }}` instead of reading the condition as a tag', () => {
    const code = (image: string) =>
      `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container:\n      image: ${image}\n    steps:\n      - run: make\n`;
    assert.deepEqual(
      ids(
        runRule(mutableImageTag, {
          code: code(
            "${{ matrix.os == 'linux' && 'ghcr.io/o/i@sha256:" + 'a'.repeat(64) + "' || '' }}",
          ),
        }),
      ),
      [],
    );
    assert.deepEqual(
      ids(
        runRule(mutableImageTag, { code: code("${{ matrix.gpu && 'nvidia/cuda:12.4' || '' }}") }),
      ),
      ['tag:high'],
    );
  });

  it('evaluates cache defaults and toggles under every release trigger', () => {
    const code = (on: string, step: string) =>
      `on:\n${on}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${step}      - run: python -m build\n`;
    const uv = (version: string, with_ = '') =>
      `      - uses: astral-sh/setup-uv@${version}\n${with_}`;
    const tags = '  push:\n    tags: [v*]';
    assert.equal(runRule(releaseBuildCache, { code: code(tags, uv('v6')) }).length, 1);
    assert.equal(runRule(releaseBuildCache, { code: code(tags, uv('v10')) }).length, 0);
    assert.equal(
      runRule(releaseBuildCache, {
        code: code(tags, uv('v10', '        with:\n          enable-cache: true\n')),
      }).length,
      1,
    );
    const toggle =
      "      - uses: PyO3/maturin-action@0123456789abcdef0123456789abcdef01234567\n        with:\n          sccache: ${{ !startsWith(github.ref, 'refs/tags/') }}\n";
    assert.equal(runRule(releaseBuildCache, { code: code(tags, toggle) }).length, 0);
    // The same toggle is on for a push to a release branch.
    assert.equal(
      runRule(releaseBuildCache, { code: code(`${tags}\n    branches: [release/*]`, toggle) })
        .length,
      1,
    );
    const cacheOnPrOnly =
      "      - uses: Swatinem/rust-cache@0123456789abcdef0123456789abcdef01234567\n        if: github.event_name == 'pull_request'\n";
    assert.equal(
      runRule(releaseBuildCache, { code: code(`${tags}\n  pull_request:`, cacheOnPrOnly) }).length,
      0,
    );
  });

  it('skips jobs whose if: excludes the privileged trigger', () => {
    const code =
      "on:\n  pull_request_target:\n  push:\njobs:\n  a:\n    if: github.event_name == 'push'\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/cache@0123456789abcdef0123456789abcdef01234567\n";
    assert.deepEqual(runRule(artifactPoisoning, { code }), []);
  });
});
