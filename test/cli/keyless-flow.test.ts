import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { copyVector, IDENTITY, ISSUER, tempDir } from '../provenance/helpers.js';

// The keyless flow docs/provenance.md documents ("Keyless signing with Sigstore, verified by
// torchward"), run as written on the reference tool's keyless vectors: the documented `node -e`
// line extracts the trusted root, the documented `torchward verify` line checks each bundle.
// Only the model_signing step (an OIDC login) is not run: the vectors are its output.

const SEEDS = join(process.cwd(), 'node_modules', '@sigstore', 'tuf', 'seeds.json');

function documentedFlow(): { trustRoot: string; verify: string } {
  const doc = readFileSync(join('docs', 'provenance.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Keyless signing with Sigstore'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = block.split('\n');
  const trustRoot = lines.find((l) => l.startsWith('node -e ')) ?? '';
  const verify = lines.find((l) => l.startsWith('torchward verify ')) ?? '';
  assert.ok(trustRoot !== '' && verify !== '', 'the documented flow has both steps');
  return { trustRoot, verify };
}

describe('keyless signing flow (docs/provenance.md)', () => {
  it('verifies the reference keyless vectors as documented, and fails on a change or another identity', (t) => {
    if (!existsSync(SEEDS)) {
      t.skip('no @sigstore/tuf/seeds.json in node_modules');
      return;
    }
    const { trustRoot, verify } = documentedFlow();
    const work = tempDir('torchward-keyless-');
    // `torchward` on PATH is the built CLI, as for the docs' own code-block test.
    const bin = join(work, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'torchward'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(process.cwd(), 'dist', 'cli', 'main.js')}" "$@"\n`,
    );
    chmodSync(join(bin, 'torchward'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    // Step 2 as documented, with this checkout's copy of npm's seeds file.
    const step2 = trustRoot.replace(
      '"$(npm root -g)/npm/node_modules/@sigstore/tuf/seeds.json"',
      `"${SEEDS}"`,
    );
    assert.notEqual(step2, trustRoot);
    execFileSync('sh', ['-c', step2], { cwd: work, env });
    const root = JSON.parse(readFileSync(join(work, 'trusted_root.json'), 'utf8')) as {
      certificateAuthorities?: unknown[];
    };
    assert.ok((root.certificateAuthorities?.length ?? 0) > 0);
    for (const vector of ['v1.0.0-sigstore', 'v1.0.1-sigstore', 'v1.1.0-sigstore']) {
      const model = copyVector(vector);
      // v1.0.1 bundles do not record what the signer ignored (docs: pass it again).
      const ignore = vector === 'v1.0.1-sigstore' ? ' --ignore-paths ignore-me' : '';
      const step3 = (identity: string): string =>
        verify
          .replace('my-model', `"${model}"`)
          .replace('you@example.com', identity)
          .replace('https://accounts.google.com', ISSUER) + ignore;
      const ok = spawnSync('sh', ['-c', step3(IDENTITY)], { cwd: work, env, encoding: 'utf8' });
      assert.equal(ok.status, 0, `${vector}: ${ok.stdout}${ok.stderr}`);
      const other = spawnSync('sh', ['-c', step3('mallory@example.com')], {
        cwd: work,
        env,
        encoding: 'utf8',
      });
      assert.equal(other.status, 1, vector);
      assert.match(other.stdout, new RegExp(`IDENTITY_MISMATCH: signed by ${IDENTITY}`));
      appendFileSync(join(model, 'signme-1'), 'tampered');
      const changed = spawnSync('sh', ['-c', step3(IDENTITY)], {
        cwd: work,
        env,
        encoding: 'utf8',
      });
      assert.equal(changed.status, 1, vector);
      assert.match(changed.stdout, /DIGEST_MISMATCH|ROOT_DIGEST_MISMATCH/);
    }
  });
});
