import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// The `torchward` bin is the esbuild bundle (dist/bundle/torchward.js, scripts/build-cli.mjs); the
// other tests run tsc's dist/cli/main.js. The bundle rewrites each module's import.meta.url, so
// the lookups beside a module (worker threads for 7z, HDF5, hashing and scanning, data files,
// package.json) are checked here: the bundle must answer exactly as dist/cli/main.js does.

const ROOT = process.cwd();
const BUNDLE = join(ROOT, 'dist', 'bundle', 'torchward.js');
const PLAIN = join(ROOT, 'dist', 'cli', 'main.js');

function run(bin: string, args: readonly string[]): { code: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
  });
  assert.equal(r.stderr.includes('internal error'), false, r.stderr);
  return { code: r.status, stdout: r.stdout };
}

/** A JSON scan report without its run time. */
function report(stdout: string): unknown {
  const parsed = JSON.parse(stdout) as { summary: { durationMs?: number } };
  delete parsed.summary.durationMs;
  return parsed;
}

describe('the bundled CLI', () => {
  it('is what package.json names as the bin', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    assert.equal(pkg.bin.torchward, 'dist/bundle/torchward.js');
    assert.ok(existsSync(BUNDLE));
  });

  it('prints the same version and rule list', () => {
    assert.equal(run(BUNDLE, ['--version']).stdout, run(PLAIN, ['--version']).stdout);
    const rules = run(BUNDLE, ['rules', '--format', 'json']);
    assert.equal(rules.code, 0);
    assert.equal(rules.stdout, run(PLAIN, ['rules', '--format', 'json']).stdout);
  });

  it('scans on worker threads with the same report and exit code', () => {
    // Over 16 model files, so the scan runs on the bundle's own scan-worker.js; 7z and HDF5
    // decode on their worker threads (found beside their modules in dist/).
    const args = [
      'scan',
      '--no-progress',
      '--format',
      'json',
      'test/fixtures/pickle',
      'test/fixtures/7z',
      'test/fixtures/keras/ok/weights-only.h5',
      'test/fixtures/workflows',
    ];
    const bundled = run(BUNDLE, args);
    const plain = run(PLAIN, args);
    assert.equal(bundled.code, plain.code);
    assert.equal(bundled.code, 1);
    assert.deepEqual(report(bundled.stdout), report(plain.stdout));
    const verdicts = (report(bundled.stdout) as { files: { verdict: string | null }[] }).files.map(
      (f) => f.verdict,
    );
    assert.ok(verdicts.includes('malicious'));
    assert.ok(verdicts.includes('safe'));
  });

  it('keeps its code caches across runs under the CLI V8 settings (set before compiling)', () => {
    // V8 keys a cache by the flags in force: were they set after the bundle was compiled, each
    // run would find the last one's cache refused and write it again.
    const cacheDir = mkdtempSync(join(tmpdir(), 'torchward-bundle-cache-'));
    try {
      const scan = (): void => {
        const r = spawnSync(
          process.execPath,
          [
            BUNDLE,
            'scan',
            '--no-progress',
            '-f',
            'json',
            'test/fixtures/torch/ok/linear_state_dict.pt',
          ],
          {
            cwd: ROOT,
            encoding: 'utf8',
            env: { ...process.env, TORCHWARD_CODE_CACHE: '', TORCHWARD_CODE_CACHE_DIR: cacheDir },
          },
        );
        assert.equal(r.status, 0, r.stderr);
      };
      scan();
      const written = readdirSync(cacheDir).filter((n) => n.startsWith('cli-scan-'));
      assert.equal(written.length, 1);
      const path = join(cacheDir, written[0] ?? '');
      const mtime = statSync(path).mtimeMs;
      scan();
      scan();
      assert.equal(statSync(path).mtimeMs, mtime, 'the cache was refused and written again');
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('hashes on its worker threads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-bundle-'));
    try {
      for (let i = 0; i < 4; i++) writeFileSync(join(dir, `f${i}.bin`), Buffer.alloc(4096, i));
      const bundled = run(BUNDLE, ['hash', dir]);
      assert.equal(bundled.code, 0);
      assert.equal(bundled.stdout, run(PLAIN, ['hash', dir]).stdout);
      assert.equal(bundled.stdout.trim().split('\n').length, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
