// Bundles the CLI into dist/bundle/ (run by `npm run build`, after tsc): the entry
// dist/bundle/torchward.js and the scan worker thread dist/bundle/scan-worker.js (a build of its
// own, chunks worker-*.js), with the modules each command or decoder loads lazily split into
// shared chunks. One bundle file replaces the
// resolution, reading and compiling of a hundred or more small modules at every start-up (see
// docs/benchmarks.md, "Where the time goes"). The bundle is built from tsc's output, so it runs
// exactly the code dist/ holds; packages in node_modules stay external and load as usual.
//
// Modules find files beside themselves with `new URL('./x', import.meta.url)` (worker scripts,
// data files, the web page). In a bundle import.meta.url is the chunk's, so each bundled module's
// import.meta.url is rewritten to the URL of its own file under dist/, which ships too: those
// lookups keep finding what they found before. The one exception is the scan pool, whose worker
// script is itself an entry of this bundle (dist/bundle/scan-worker.js beside every chunk).
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

const dist = resolve('dist');
const out = resolve('dist/bundle');
/** Bundled modules whose `import.meta.url` must stay the chunk's (their target is an entry here). */
const CHUNK_RELATIVE = new Set([resolve(dist, 'engine/scan-pool.js')]);

const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist + sep)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url') || CHUNK_RELATIVE.has(args.path))
        return { contents: source, loader: 'js' };
      // Every chunk lives in dist/bundle/, so the path from any chunk to this module is the same.
      const rel = relative(out, args.path).split(sep).join('/');
      return {
        contents: source.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
        ),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

const common = {
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: false,
  logLevel: 'warning',
  plugins: [ownUrl],
};
await build({
  ...common,
  entryPoints: { torchward: 'dist/cli/main.js' },
  chunkNames: 'chunk-[hash]',
});
// The scan worker thread is bundled on its own: split only against its own lazy imports (the
// other formats' handlers and rule families), its scanner is a few larger chunks rather than the
// many small ones shared with every command's entry points, which each thread would otherwise
// resolve and compile one by one at its start (docs/benchmarks.md, whole process, round 3). It
// shares no module state with the main thread's copy: jobs and results cross as messages.
await build({
  ...common,
  entryPoints: { 'scan-worker': 'dist/engine/scan-worker.js' },
  chunkNames: 'worker-[hash]',
});
chmodSync(resolve(out, 'torchward.js'), 0o755);
