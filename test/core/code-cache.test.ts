import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { codeCacheDir, type CachedRun } from '../../src/core/code-cache.js';

// The code cache of the bundled CLI and scan worker (src/core/code-cache.ts), on a small CommonJS
// bundle of its own: V8 compiles and caches it for real; what is checked is which cache files are
// handed to V8 and that the bundle runs the same with or without one.

const root = mkdtempSync(join(tmpdir(), 'torchward-code-cache-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A bundle that prints its result, uses require and the import hook, and has functions to cache. */
function makeBundle(): { file: string; cacheDir: string } {
  const dir = mkdtempSync(join(root, 'b-'));
  const file = join(dir, 'bundle.js');
  writeFileSync(
    file,
    [
      '#!/usr/bin/env node',
      'const { basename } = require("node:path");',
      'function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }',
      'module.exports.value = fib(15);',
      '__tw_import("node:path").then((m) => { process.stdout.write(fib(15) + " " + basename(__filename) + " " + typeof m.join + "\\n"); });',
    ].join('\n'),
  );
  return { file, cacheDir: join(dir, 'cache') };
}

interface Outcome {
  readonly cache: CachedRun['cache'];
  readonly path: string | undefined;
  readonly output: string;
}

const MODULE = pathToFileURL(join(import.meta.dirname, '../../src/core/code-cache.js')).href;

/**
 * Runs the bundle through runCachedBundle in a fresh process (V8 keeps compiled scripts for the
 * life of a process, so only a new one shows what the cache file does), saving the cache after.
 */
function run(
  file: string,
  cacheDir: string,
  extraEnv: NodeJS.ProcessEnv = {},
  hash = HASH,
): Outcome {
  const script = `
    import { runCachedBundle } from ${JSON.stringify(MODULE)};
    const run = runCachedBundle({
      file: ${JSON.stringify(file)},
      buildHash: ${JSON.stringify(hash)},
      slot: 'test',
      importModule: (s) => import(s),
    });
    process.on('exit', () => {
      run.save();
      process.stderr.write(JSON.stringify({ cache: run.cache, path: run.path }));
    });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      ...process.env,
      TORCHWARD_CODE_CACHE: '',
      TORCHWARD_CODE_CACHE_DIR: cacheDir,
      ...extraEnv,
    },
  });
  assert.equal(r.status, 0, r.stderr);
  const { cache, path } = JSON.parse(r.stderr) as { cache: CachedRun['cache']; path?: string };
  return { cache, path, output: r.stdout };
}

const HASH = 'abcdef0123456789';
const OUTPUT = '610 bundle.js function\n';

describe('the V8 code cache of the bundles', () => {
  it('runs the bundle, writes a private cache after the run, and V8 accepts it next time', () => {
    const { file, cacheDir } = makeBundle();
    const first = run(file, cacheDir);
    assert.equal(first.cache, 'none');
    assert.equal(first.output, OUTPUT);
    assert.ok(first.path !== undefined);
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    const written = statSync(first.path).mtimeMs;
    const second = run(file, cacheDir);
    assert.equal(second.cache, 'accepted');
    assert.equal(second.output, OUTPUT);
    assert.equal(second.path, first.path);
    // An accepted cache is not written again.
    assert.equal(statSync(first.path).mtimeMs, written);
  });

  it('never hands V8 a corrupted cache: the run compiles afresh and rewrites it', () => {
    const { file, cacheDir } = makeBundle();
    const first = run(file, cacheDir);
    assert.ok(first.path !== undefined);
    const good = readFileSync(first.path);
    const bad = Buffer.from(good);
    const at = Math.floor(bad.length / 2);
    bad[at] = (bad[at] ?? 0) ^ 0x55;
    writeFileSync(first.path, bad, { mode: 0o600 });
    // The CRC does not match: no cache at all (V8 itself would not notice, see code-cache.ts).
    const second = run(file, cacheDir);
    assert.equal(second.cache, 'none');
    assert.equal(second.output, OUTPUT);
    assert.equal(run(file, cacheDir).cache, 'accepted');
    // A torn (truncated) file is no cache either.
    writeFileSync(first.path, good.subarray(0, 30), { mode: 0o600 });
    assert.equal(run(file, cacheDir).cache, 'none');
  });

  it('reports a cache V8 refuses as rejected and replaces it', () => {
    const { file, cacheDir } = makeBundle();
    const first = run(file, cacheDir);
    assert.ok(first.path !== undefined);
    // A well-formed file (magic and CRC right) whose payload is no V8 code cache.
    const good = readFileSync(first.path);
    const magic = good.subarray(0, good.indexOf(0x0a) + 1);
    const payload = Buffer.alloc(4096, 7);
    const head = Buffer.alloc(4);
    head.writeUInt32LE(crc32Of(payload));
    writeFileSync(first.path, Buffer.concat([magic, head, payload]), { mode: 0o600 });
    const second = run(file, cacheDir);
    assert.equal(second.cache, 'rejected');
    assert.equal(second.output, OUTPUT);
    assert.equal(run(file, cacheDir).cache, 'accepted');
  });

  it('ignores a cache file or folder others may write', () => {
    if (process.platform === 'win32') return;
    const { file, cacheDir } = makeBundle();
    const first = run(file, cacheDir);
    assert.ok(first.path !== undefined);
    chmodSync(first.path, 0o666);
    assert.equal(run(file, cacheDir).cache, 'none');
    chmodSync(first.path, 0o600);
    chmodSync(cacheDir, 0o777);
    assert.equal(run(file, cacheDir).cache, 'none');
    chmodSync(cacheDir, 0o700);
    assert.equal(run(file, cacheDir).cache, 'accepted');
  });

  it('keys the cache by the bundle: an edited bundle never meets the old cache, which is removed', () => {
    const { file, cacheDir } = makeBundle();
    const first = run(file, cacheDir);
    // Same length, other content, later modification time.
    writeFileSync(file, readFileSync(file, 'utf8').replace('fib(15);', 'fib(14);'));
    const later = new Date(statSync(file).mtimeMs + 5000);
    utimesSync(file, later, later);
    const second = run(file, cacheDir);
    assert.equal(second.cache, 'none');
    assert.notEqual(second.path, first.path);
    assert.deepEqual(readdirSync(cacheDir), [basename(second.path ?? '')]);
    // Another build (another hash) has a file of its own.
    const third = run(file, cacheDir, {}, 'fedcba9876543210');
    assert.equal(third.cache, 'none');
    assert.notEqual(third.path, second.path);
  });

  it('is off with TORCHWARD_CODE_CACHE=0, and writes nothing', () => {
    const { file, cacheDir } = makeBundle();
    const off = run(file, cacheDir, { TORCHWARD_CODE_CACHE: '0' });
    assert.equal(off.cache, 'off');
    assert.equal(off.path, undefined);
    assert.equal(off.output, OUTPUT);
    assert.throws(() => readdirSync(cacheDir), { code: 'ENOENT' });
  });

  it('lives in the per-user cache folder', () => {
    if (process.platform === 'win32') return;
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/torchward');
    assert.equal(codeCacheDir({ TORCHWARD_CODE_CACHE_DIR: '/y' }), '/y');
    assert.equal(codeCacheDir({ TORCHWARD_CODE_CACHE: 'off', XDG_CACHE_HOME: '/x' }), undefined);
    assert.match(codeCacheDir({}) ?? '', /[/]\.cache[/]torchward$/);
  });
});

/** CRC-32 (IEEE), as zlib computes it, written out here so the test does not reuse the module's. */
function crc32Of(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
