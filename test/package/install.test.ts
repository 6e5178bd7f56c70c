import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

// The package as a user gets it: `npm pack` the built tree (pretest has just built dist/), then
// `npm install` the tarball into an empty folder with --offline, so every dependency comes from
// the local npm cache that `npm ci` filled (no registry, no network). The installed bin must run,
// the library must import and type-check from a fresh TypeScript file, and every source map in
// the tarball must point at a file the tarball ships.

const ROOT = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), 'torchward-pack-'));
const app = join(tmp, 'app');
const installed = join(app, 'node_modules', 'torchward');
let installLog = '';

function run(cmd: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    // No colour, no update check, no funding or audit chatter: only what npm has to say.
    env: {
      ...process.env,
      NO_COLOR: '1',
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
    timeout: 300_000,
  });
  if (r.error !== undefined) throw r.error;
  return r;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly [key: string]: unknown;
}

/**
 * The consumer's lockfile: torchward from the tarball, and every runtime (non-dev) package of the
 * repository's own lockfile at the same place in the tree. `npm ci` fills the npm cache with
 * tarballs but not with the registry's version lists, so an install that had to resolve ranges
 * could not run offline; with versions pinned by the lockfile every tarball comes from the cache.
 */
function appLock(spec: string, tarball: string): object {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const root = lock.packages[''];
  assert.ok(root);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
    bin: Record<string, string>;
    engines: Record<string, string>;
    license: string;
  };
  const integrity = `sha512-${createHash('sha512')
    .update(readFileSync(join(tmp, tarball)))
    .digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: { torchward: spec } },
    'node_modules/torchward': {
      version: pkg.version,
      resolved: spec,
      integrity,
      license: pkg.license,
      dependencies: root.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && entry.dev !== true) packages[path] = entry;
  }
  return { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

describe('the npm package', () => {
  before(() => {
    const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], ROOT);
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = readdirSync(tmp).find((f) => /^torchward-.*\.tgz$/.test(f));
    assert.ok(tarball, 'npm pack wrote no tarball');
    mkdirSync(app);
    const spec = `file:../${tarball}`;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        private: true,
        type: 'module',
        dependencies: { torchward: spec },
      }),
    );
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock(spec, tarball)));
    const install = run('npm', ['install', '--offline'], app);
    installLog = install.stdout + install.stderr;
    assert.equal(install.status, 0, installLog);
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('installs offline with no warning but the two known ones', () => {
    // Known and documented in docs/dependencies.md: @octokit/request (from @octokit/rest) needs
    // content-type@3, which declares Node >= 22 and runs on Node 20 (the repository's own tree
    // overrides it to 2.1.0, the same parse API; a consumer's npm does not apply our overrides),
    // and npm 11 lists install scripts it did not run (tree-sitter-python's prebuilt selector and
    // onnxruntime-node's GPU download, neither needed).
    const warnings = installLog.split('\n').filter((l) => /npm warn/i.test(l));
    const engine = warnings.filter((l) => l.includes('EBADENGINE')).join('\n');
    // Run under `npm test`, npm hands the repository's own .npmrc setting (onnxruntime-node-install,
    // read by that package's postinstall) to child npm processes, which call it unknown.
    const unexpected = warnings.filter(
      (l) =>
        !/EBADENGINE|install-scripts|Unknown (?:env|project) config "onnxruntime-node-install"/.test(
          l,
        ),
    );
    assert.deepEqual(unexpected, []);
    if (engine !== '') assert.match(engine, /package: 'content-type@3\./);
    assert.equal((engine.match(/package: /g) ?? []).length, engine === '' ? 0 : 1);
  });

  it('ships LICENSE, NOTICE, README and no test or bench files', () => {
    for (const f of ['LICENSE', 'NOTICE', 'README.md', 'package.json', 'dist/cli/main.js']) {
      assert.ok(existsSync(join(installed, f)), `${f} missing from the package`);
    }
    for (const f of ['test', 'bench', 'build', 'examples', 'scripts']) {
      assert.ok(!existsSync(join(installed, f)), `${f}/ should not be in the package`);
    }
  });

  it('ships the source every source map points at', () => {
    const maps = walk(join(installed, 'dist')).filter((f) => f.endsWith('.map'));
    assert.ok(maps.length > 100, `only ${maps.length} source maps`);
    const dangling: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
      for (const s of sources) {
        const target = resolve(dirname(map), s);
        if (!existsSync(target)) dangling.push(`${map} -> ${s}`);
      }
    }
    assert.deepEqual(dangling, []);
  });

  it('runs as `npx torchward` and scans with the exit codes the README gives', () => {
    const help = run('npx', ['--no-install', 'torchward', '--help'], app);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /torchward/);
    const hostile = run(
      'npx',
      [
        '--no-install',
        'torchward',
        'scan',
        '--format',
        'json',
        join(ROOT, 'examples/hostile/reduce-os-system.pkl'),
      ],
      app,
    );
    assert.equal(hostile.status, 1, hostile.stderr);
    const report = JSON.parse(hostile.stdout) as { files: { verdict: string }[] };
    assert.equal(report.files[0]?.verdict, 'malicious');
    const benign = run(
      'npx',
      ['--no-install', 'torchward', 'scan', join(ROOT, 'examples/benign/model.safetensors')],
      app,
    );
    assert.equal(benign.status, 0, benign.stdout + benign.stderr);
  });

  it('imports as a typed library from a fresh TypeScript project', () => {
    // A consumer's file using the public types; tsc with the strictest settings checks it against
    // the shipped declarations, then node runs the compiled file.
    writeFileSync(
      join(app, 'use.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { checkModelSignatures, renderSarif, scanBytes, scanPaths } from 'torchward';",
        "import type { Finding, ScanReport, Rule, RuleDescriptor, FileResult } from 'torchward';",
        "import type { ScanOptions, SignatureCheck } from 'torchward';",
        // The caller verifies signatures and hands the results to the scan.
        'const checks: SignatureCheck[] = await checkModelSignatures([], {});',
        'const options: ScanOptions = { signatures: checks };',
        'void options;',
        'void scanPaths;',
        'const bytes = new Uint8Array(readFileSync(process.argv[2] ?? ""));',
        "const file: FileResult = await scanBytes(bytes, 'payload.pkl');",
        'const findings: readonly Finding[] = file.findings;',
        'const ids: string[] = findings.map((f) => f.ruleId);',
        'const rules: readonly Rule[] = [];',
        'const descriptors: readonly RuleDescriptor[] = rules;',
        'const report: ScanReport | undefined = undefined;',
        'void report;',
        'void descriptors;',
        'console.log(JSON.stringify({ verdict: file.verdict, ids }));',
        'void renderSarif;',
        '',
      ].join('\n'),
    );
    const tsc = run(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '--strict',
        '--exactOptionalPropertyTypes',
        '--noUncheckedIndexedAccess',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
        '--typeRoots',
        join(ROOT, 'node_modules/@types'),
        'use.ts',
      ],
      app,
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    const out = run(
      process.execPath,
      ['use.js', join(ROOT, 'examples/hostile/reduce-os-system.pkl')],
      app,
    );
    assert.equal(out.status, 0, out.stderr);
    const got = JSON.parse(out.stdout) as { verdict: string; ids: string[] };
    assert.equal(got.verdict, 'malicious');
    assert.ok(got.ids.includes('pickle/dangerous-global'), out.stdout);
  });
});
