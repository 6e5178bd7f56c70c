import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { it } from 'node:test';

// docs/architecture.md stays true to the code: the module graph of src/ has no import cycle, and
// every source file the page names exists.

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Relative imports (static, type-only and dynamic) of one module, as source paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/\bfrom\s+'(\.[^']+)'/g),
    ...text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g),
  ].map((m) => m[1] ?? '');
  return specs.map((s) => normalize(join(dirname(file), s.replace(/\.js$/, '.ts'))));
}

it('has no import cycle in src/', () => {
  const graph = new Map(sources('src').map((f) => [f, importsOf(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  // Depth-first search with an explicit stack; a module reached while still open closes a cycle.
  for (const start of graph.keys()) {
    if (state.has(start)) continue;
    const stack: { file: string; next: number }[] = [{ file: start, next: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      assert.ok(top);
      const deps = graph.get(top.file) ?? [];
      if (top.next >= deps.length) {
        state.set(top.file, 'done');
        stack.pop();
        continue;
      }
      const dep = deps[top.next++] ?? '';
      if (!graph.has(dep)) continue;
      if (state.get(dep) === 'open') {
        const from = stack.findIndex((s) => s.file === dep);
        cycles.push([...stack.slice(from).map((s) => s.file), dep].join(' → '));
      } else if (!state.has(dep)) {
        state.set(dep, 'open');
        stack.push({ file: dep, next: 0 });
      }
    }
  }
  assert.deepEqual(cycles, []);
});

it('names only source files that exist', () => {
  const page = readFileSync('docs/architecture.md', 'utf8');
  const named = [
    ...page.matchAll(
      /(?:^|[\s(`])((?:src\/)?(?:core|formats|workflows|provenance|rules|engine|loader|reporters|cli)\/[\w./-]+\.ts)\b/gm,
    ),
  ].map((m) => m[1] ?? '');
  assert.ok(named.length >= 15, `only ${named.length} files named`);
  const missing = [...new Set(named)]
    .map((p) => (p.startsWith('src/') ? p : `src/${p}`))
    .filter((p) => !existsSync(p));
  assert.deepEqual(missing, []);
});
