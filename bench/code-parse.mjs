// Python parse benchmark: where the code audit's time per parsed file goes, and whether the
// native Node-API binding of tree-sitter (npm `tree-sitter`, not a dependency) would be faster
// than the web-tree-sitter WebAssembly runtime the audit uses. Over the first
// TORCHWARD_BENCH_PARSE_FILES (default 2,000) files of bench/out/code-repo/ (written by
// bench/code.mjs when missing), in a child pinned to one CPU with `taskset -c 0`, rounds of:
//   wasm-parse          web-tree-sitter parse through dist/'s loadPythonParser (the audit's own)
//   wasm-parse-query    the same plus the model query's captures (every capture's node is read)
//   wasm-model          the same plus buildPythonModel (what the audit does before its rules)
//   native-parse        the native binding's parse of the same text
//   native-parse-query  the same plus the same query's captures, each capture's node read
// The native cases run only when `tree-sitter` loads (install it for the measurement alone with
// `npm install --no-save tree-sitter@0.25.1`; its linux-x64 prebuilt addon is in the tarball);
// otherwise a `native` line says why not. The native and WebAssembly captures are compared file
// by file (capture name, node type, UTF-16 start and end): `nativeDiffering` counts files whose
// captures differ.
// Each case prints one JSON line: {"case","files","rounds","msPerFileMin","msPerFileMedian",
// "loadAverage"} (CPU time per file: user + system of the process, divided by the files).
// Usage: npm run build && node bench/code-parse.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const ROOT = join('bench', 'out', 'code-repo');
const FILES = Number(process.env.TORCHWARD_BENCH_PARSE_FILES ?? '2000');
const ROUNDS = Number(process.env.TORCHWARD_BENCH_PARSE_ROUNDS ?? '5');

if (process.argv[2] === '--child') {
  await child();
  process.exit(0);
}

if (!existsSync(ROOT)) {
  const r = spawnSync(process.execPath, ['bench/code.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, TORCHWARD_BENCH_GENERATE_ONLY: '1' },
  });
  if (r.status !== 0) process.exit(1);
}
const pinned = existsSync('/usr/bin/taskset')
  ? ['/usr/bin/taskset', ['-c', '0', process.execPath, 'bench/code-parse.mjs', '--child']]
  : [process.execPath, ['bench/code-parse.mjs', '--child']];
const r = spawnSync(pinned[0], pinned[1], { stdio: 'inherit' });
process.exit(r.status ?? 1);

async function child() {
  const { loadPythonParser, PYTHON_MODEL_QUERY } = await import('../dist/formats/python/parser.js');
  const { buildPythonModel } = await import('../dist/formats/python/model.js');
  const texts = readdirSync(ROOT)
    .filter((name) => name.endsWith('.py'))
    .sort()
    .slice(0, FILES)
    .map((name) => readFileSync(join(ROOT, name), 'utf8'));
  const wasm = await loadPythonParser();
  const cases = {
    'wasm-parse': (text) => wasm.parse(text, 5_000)?.delete(),
    'wasm-parse-query': (text) => {
      const tree = wasm.parse(text, 5_000);
      for (const c of wasm.query.captures(tree.rootNode)) touch(c.node);
      tree.delete();
    },
    'wasm-model': (text) => {
      const tree = wasm.parse(text, 5_000);
      buildPythonModel(tree, text, wasm.query.captures(tree.rootNode));
      tree.delete();
    },
  };
  let native;
  try {
    const require = createRequire(import.meta.url);
    const NativeParser = require('tree-sitter');
    const python = require('tree-sitter-python');
    const parser = new NativeParser();
    parser.setLanguage(python);
    native = { parser, query: new NativeParser.Query(python, PYTHON_MODEL_QUERY) };
    cases['native-parse'] = (text) => native.parser.parse(text);
    cases['native-parse-query'] = (text) => {
      const tree = native.parser.parse(text);
      for (const c of native.query.captures(tree.rootNode)) touch(c.node);
    };
  } catch (error) {
    console.log(JSON.stringify({ case: 'native', skipped: String(error).split('\n')[0] }));
  }
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  // Rounds interleave the cases, so a slow minute of a shared machine hits each of them.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(cases)) {
      const start = process.cpuUsage();
      for (const text of texts) run(text);
      const cpu = process.cpuUsage(start);
      times[name].push((cpu.user + cpu.system) / 1000 / texts.length);
    }
  }
  for (const [name, list] of Object.entries(times)) {
    list.sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        case: name,
        files: texts.length,
        rounds: ROUNDS,
        msPerFileMin: Number(list[0].toFixed(3)),
        msPerFileMedian: Number(list[Math.floor(list.length / 2)].toFixed(3)),
        loadAverage: Number(loadavg()[0].toFixed(1)),
      }),
    );
  }
  if (native !== undefined) {
    const shape = (captures) =>
      captures
        .map((c) => `${c.name}:${c.node.type}:${c.node.startIndex}:${c.node.endIndex}`)
        .join();
    let differing = 0;
    for (const text of texts) {
      const tree = wasm.parse(text, 5_000);
      const a = shape(wasm.query.captures(tree.rootNode));
      tree.delete();
      const b = shape(native.query.captures(native.parser.parse(text).rootNode));
      if (a !== b) differing++;
    }
    console.log(
      JSON.stringify({ case: 'native-vs-wasm', files: texts.length, nativeDiffering: differing }),
    );
  }
}

// What the model reads of every captured node at least: its type, text and offsets.
function touch(node) {
  return node.type.length + node.text.length + node.startIndex + node.endIndex;
}
