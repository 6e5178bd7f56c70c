// Builds the web page's bundle into dist/web/ (run by `npm run build`): the scan engine for a Web
// Worker and the page script, bundled by esbuild. Node built-ins the decoders import are mapped to
// src/web/shims/ (zlib over fflate; the file system and worker threads are unavailable, which the
// engine reports per file). Rule pages' "Why it matters" and "Remediation" sections go into
// rules.json so the page explains each finding and its fix.
import { build } from 'esbuild';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  copyFileSync,
  statSync,
  rmSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

const out = 'dist/web';
mkdirSync(out, { recursive: true });
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;

const shims = {
  'node:zlib': 'src/web/shims/zlib.ts',
  'node:events': 'src/web/shims/events.ts',
  'node:fs': 'src/web/shims/unavailable.ts',
  'node:fs/promises': 'src/web/shims/unavailable.ts',
  'node:path': 'src/web/shims/unavailable.ts',
  'node:worker_threads': 'src/web/shims/unavailable.ts',
  'node:module': 'src/web/shims/unavailable.ts',
};
const nodeShims = {
  name: 'node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      const shim = shims[args.path];
      if (shim === undefined)
        return {
          errors: [{ text: `${args.path} has no browser shim (imported by ${args.importer})` }],
        };
      return { path: resolve(shim) };
    });
  },
};

const common = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  // No source maps: they would point into node_modules, which the package does not ship.
  sourcemap: false,
  logLevel: 'warning',
  legalComments: 'linked',
  define: { TORCHWARD_VERSION: JSON.stringify(version) },
  plugins: [nodeShims],
};
await build({
  ...common,
  entryPoints: { worker: 'src/web/worker.ts' },
  outdir: out,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});
await build({ ...common, entryPoints: { page: 'src/web/page.ts' }, outdir: out });
// tsc's maps of page.js and worker.js describe the modules the bundles replaced.
for (const stale of ['page.js.map', 'worker.js.map']) rmSync(join(out, stale), { force: true });
copyFileSync('src/web/index.html', join(out, 'index.html'));
copyFileSync('src/web/page.css', join(out, 'page.css'));

// rule id -> { title, why, fix } from docs/rules/<family>/<rule>.md
const rules = {};
for (const family of readdirSync('docs/rules')) {
  const dir = join('docs/rules', family);
  if (!statSync(dir).isDirectory()) continue;
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.md')) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    const section = (name) => {
      const m = new RegExp(`^## ${name}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(text);
      return m === null ? '' : m[1].trim();
    };
    const title = (/^# .*\n\n(.*)$/m.exec(text) ?? [])[1] ?? '';
    rules[`${family}/${file.slice(0, -3)}`] = {
      title,
      why: section('Why it matters'),
      fix: section('Remediation'),
    };
  }
}
writeFileSync(join(out, 'rules.json'), JSON.stringify(rules));
