import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchGlob } from '../../../../src/workflows/glob.js';
import { classifyLabels } from '../../../../src/rules/ci/judge/runners.js';
import { EMPTY_INVENTORY } from '../../../../src/workflows/audit-input.js';
import { isDigestImage, isFullSha, parseUses } from '../../../../src/workflows/uses.js';

const kind = (labels: string[], inventory = EMPTY_INVENTORY): string => {
  const c = classifyLabels(labels, inventory);
  return `${c.kind}/${c.reason}`;
};

describe('classifyLabels', () => {
  it('recognises GitHub-hosted images and larger runners', () => {
    assert.equal(kind(['ubuntu-latest']), 'github-hosted/github-hosted');
    assert.equal(kind(['ubuntu-24.04-arm']), 'github-hosted/github-hosted');
    assert.equal(kind(['ubuntu-latest-16-cores']), 'github-hosted/github-hosted');
    assert.equal(kind(['macos-15-xlarge']), 'github-hosted/github-hosted');
    assert.equal(kind(['windows-11-arm']), 'github-hosted/github-hosted');
    assert.equal(kind(['github-ubuntu-24.04-x86_64-8']), 'github-hosted/github-hosted');
  });
  it('treats third-party ephemeral providers and name hints as ephemeral', () => {
    assert.equal(kind(['depot-ubuntu-24.04-8']), 'ephemeral/third-party-ephemeral');
    assert.equal(kind(['namespace-profile-macos-15']), 'ephemeral/third-party-ephemeral');
    assert.equal(kind(['linux.g5.4xlarge.ephemeral']), 'ephemeral/name-hint');
    assert.equal(kind(['windows.4xlarge.nonephemeral']), 'persistent/name-hint');
  });
  it('treats self-hosted and unknown labels as persistent, config first', () => {
    assert.equal(kind(['self-hosted', 'ubuntu-latest']), 'persistent/self-hosted');
    assert.equal(kind(['macos-m1-stable']), 'persistent/unknown-label');
    assert.equal(
      kind(['linux.2xlarge'], { ...EMPTY_INVENTORY, selfHosted: ['linux.*'] }),
      'persistent/actionlint',
    );
    assert.equal(
      kind(['linux.2xlarge'], { ...EMPTY_INVENTORY, ephemeral: ['linux.*'] }),
      'ephemeral/config',
    );
    assert.equal(
      kind(['ubuntu-latest'], { ...EMPTY_INVENTORY, persistent: ['ubuntu-*'] }),
      'persistent/config',
    );
    assert.equal(kind([]), 'none/no-runner');
    const scale = {
      ...EMPTY_INVENTORY,
      scaleEphemeral: ['linux.4xlarge'],
      scalePersistent: ['linux.2xlarge'],
    };
    assert.equal(kind(['linux.2xlarge'], scale), 'persistent/scale-config');
    assert.equal(kind(['linux.4xlarge'], scale), 'ephemeral/scale-config');
  });
});

describe('matchGlob', () => {
  it('matches *, ** and ?', () => {
    assert.equal(matchGlob('.github/workflows/*.yml', '.github/workflows/ci.yml'), true);
    assert.equal(matchGlob('*.yml', 'a/b.yml'), false);
    assert.equal(matchGlob('**/*.yml', 'a/b/c.yml'), true);
    assert.equal(matchGlob('linux.?xlarge', 'linux.2xlarge'), true);
    assert.equal(matchGlob('a*b*c*d*e*f*g', `${'a'.repeat(2000)}x`), false);
  });
});

describe('uses', () => {
  it('parses local, docker and remote references', () => {
    assert.deepEqual(parseUses('./.github/actions/x'), {
      kind: 'local',
      path: '.github/actions/x',
    });
    assert.deepEqual(parseUses('docker://alpine:3'), { kind: 'docker', image: 'alpine:3' });
    assert.deepEqual(parseUses('Owner/Repo/sub/dir@v1'), {
      kind: 'remote',
      repo: 'owner/repo',
      subpath: 'sub/dir',
      version: 'v1',
    });
    assert.deepEqual(parseUses('nothing'), { kind: 'invalid' });
  });
  it('checks SHAs and digests', () => {
    assert.equal(isFullSha('0123456789abcdef0123456789abcdef01234567'), true);
    assert.equal(isFullSha('0123456'), false);
    assert.equal(isDigestImage(`a/b@sha256:${'0'.repeat(64)}`), true);
    assert.equal(isDigestImage('a/b:1'), false);
  });
});
