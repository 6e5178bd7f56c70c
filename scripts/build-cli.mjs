// Bundles the CLI into dist/bundle/ (run by `npm run build`, after tsc). Two CommonJS bundles, each
// one file, and a small launcher for each:
//   torchward.js          the bin: src/cli/bin.ts, runs torchward-cli.js through a V8 code cache
//   torchward-cli.js      dist/cli/main.js and everything it imports from dist/
//   scan-worker.js        the scan worker thread: src/engine/scan-worker-bin.ts, runs
//   scan-worker-bundle.js dist/engine/scan-worker.js and what it imports, through the cache
//   package.json          {"type": "commonjs"}, so Node reads these .js files as CommonJS
// One file per process or thread replaces the resolution, reading, compiling and linking of
// dozens of ES modules at every start-up, and CommonJS is what `vm.Script` (and so a code cache,
// src/core/code-cache.ts) can run on Node 20 (docs/benchmarks.md, "Code cache"). The modules a
// command loads lazily stay lazy: esbuild wraps each in a function run on first import. The
// bundles are built from tsc's output, so they run exactly the code dist/ holds; packages in
// node_modules stay external and load as usual. Three rewrites make that hold in CommonJS:
//  - `import.meta.url`: each module's is rewritten to the URL of its own file under dist/, which
//    ships too, so lookups beside a module (worker scripts, data files, package.json) find what
//    they found before; the scan pool's is the bundle's, whose scan-worker.js is the launcher.
//  - `import('pkg')` of a package or built-in, and of the few dist/ modules that must stay ES
//    modules (they import an ES-only package statically), becomes `__tw_import(...)`: the
//    launcher's own dynamic import (a `vm.Script` cannot import() without an experimental flag).
//  - dist/rules/registry.js builds the rule set with a top-level await, which CommonJS cannot
//    hold; here it imports every family's index statically instead (the same table, families.js).
// After the build, every package the bundles require() is checked to load as CommonJS.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

const dist = resolve('dist');
const out = resolve('dist/bundle');
/** Bundled modules whose `import.meta.url` must stay the bundle's (their target is in dist/bundle). */
const BUNDLE_RELATIVE = new Set([resolve(dist, 'engine/scan-pool.js')]);
/** dist/ modules kept as ES modules, loaded with the launcher's import() (an ES-only package). */
const KEEP_ESM = new Set([resolve(dist, 'github/client.js')]);
const REGISTRY = resolve(dist, 'rules/registry.js');

/** Path from dist/bundle/ to a dist/ file, '/'-separated ('../x/y.js'). */
const fromBundle = (path) => relative(out, path).split(sep).join('/');

/** registry.js without its top-level await: the families' rule lists imported statically. */
function syncRegistry(source) {
  const families = readFileSync(resolve(dist, 'rules/families.js'), 'utf8');
  const imports = [];
  const entries = [];
  const re =
    /name: '([a-z-]+)'[^{}]*?load: (?:async \(\) => \(await import\('(\.\/[a-z-]+\/index\.js)'\)\)\.(\w+)|\(\) => Promise\.resolve\((\w+)\))/g;
  for (const m of families.matchAll(re)) {
    const [, name, path, exported, resolved] = m;
    const local = `__family${entries.length}`;
    if (path !== undefined) {
      imports.push(`import { ${exported} as ${local} } from '${path}';`);
    } else {
      const from = new RegExp(`^import \\{ ${resolved} \\} from '([^']+)';$`, 'm').exec(families);
      if (from === null) throw new Error(`build-cli: no import of ${resolved} in families.js`);
      imports.push(`import { ${resolved} as ${local} } from '${from[1]}';`);
    }
    entries.push(`[${JSON.stringify(name)}, ${local}]`);
  }
  const loads = families.match(/\bload: /g)?.length ?? 0;
  const tla = 'const REGISTRY = await loadAllRules();';
  if (entries.length !== loads || !source.includes(tla)) {
    throw new Error(
      `build-cli: registry.js or families.js changed shape (${entries.length} of ${loads} families read); update syncRegistry`,
    );
  }
  return [
    ...imports,
    "import { RULE_FAMILIES } from './families.js';",
    "import { RuleSet } from './rule-set.js';",
    source.replace(
      tla,
      `const LOADED = new Map([${entries.join(', ')}]);\n` +
        'const REGISTRY = new RuleSet(RULE_FAMILIES.map((f) => LOADED.get(f.name)));',
    ),
  ].join('\n');
}

const distTransforms = {
  name: 'dist-transforms',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + sep)) return undefined;
      let source = readFileSync(args.path, 'utf8');
      if (args.path === REGISTRY) source = syncRegistry(source);
      source = source.replace(/\bimport\('([^']+)'\)/g, (all, spec) => {
        if (!spec.startsWith('.')) return `__tw_import(${JSON.stringify(spec)})`;
        const target = resolve(dirname(args.path), spec);
        return KEEP_ESM.has(target) ? `__tw_import(${JSON.stringify(fromBundle(target))})` : all;
      });
      if (source.includes('import.meta.url') && !BUNDLE_RELATIVE.has(args.path)) {
        source = source.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`,
        );
      }
      return { contents: source, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const common = {
  outdir: out,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: false,
  logLevel: 'warning',
  // In a CommonJS file import.meta is empty: each file's own URL, from __filename.
  define: { 'import.meta.url': '__tw_url' },
  banner: { js: 'var __tw_url = require("node:url").pathToFileURL(__filename).href;' },
};
const bundles = await build({
  ...common,
  entryPoints: {
    'torchward-cli': 'dist/cli/main.js',
    'scan-worker-bundle': 'dist/engine/scan-worker.js',
  },
  plugins: [distTransforms],
  metafile: true,
  // Comments and indentation removed: half the bytes to read and decode at every start-up. Names
  // stay, so stack traces and profiles still name functions.
  minifyWhitespace: true,
});
writeFileSync(resolve(out, 'package.json'), '{ "type": "commonjs" }\n');

/** First 16 hex digits of the SHA-256 of a built file (the code cache's key). */
const hashOf = (name) =>
  createHash('sha256')
    .update(readFileSync(resolve(out, name)))
    .digest('hex')
    .slice(0, 16);
for (const [entry, launcher, bundle] of [
  ['dist/cli/bin.js', 'torchward', 'torchward-cli.js'],
  ['dist/engine/scan-worker-bin.js', 'scan-worker', 'scan-worker-bundle.js'],
]) {
  await build({
    ...common,
    entryPoints: { [launcher]: entry },
    define: { ...common.define, TORCHWARD_BUNDLE_HASH: JSON.stringify(hashOf(bundle)) },
    // The launcher's import() is Node's own, resolved from dist/bundle/: nothing to bundle.
    logOverride: { 'unsupported-dynamic-import': 'silent' },
  });
}
chmodSync(resolve(out, 'torchward.js'), 0o755);

// A package the bundles require() must load as CommonJS on every Node version package.json
// allows (require() of an ES module needs Node 20.19 / 22.12): an ES-only one belongs in KEEP_ESM.
const required = new Set();
for (const file of Object.keys(bundles.metafile.outputs)) {
  for (const m of readFileSync(file, 'utf8').matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
    if (!m[1].startsWith('node:')) required.add(m[1]);
  }
}
const check = spawnSync(
  process.execPath,
  [
    '--no-experimental-require-module',
    '-e',
    'for (const p of JSON.parse(process.argv[1])) { try { require(p); } catch (e) { if (e.code === "ERR_REQUIRE_ESM") { console.error(p); process.exitCode = 1; } } }',
    JSON.stringify([...required]),
  ],
  { encoding: 'utf8', cwd: out },
);
if (check.status !== 0) {
  throw new Error(
    `build-cli: packages the bundle require()s are ES modules only:\n${check.stderr}`,
  );
}
