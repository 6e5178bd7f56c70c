// Runs the compiled tests with node's own test runner on an explicit list of files.
// Usage: node scripts/run-tests.mjs [--fuzz] [filter...]
//   --fuzz    runs the property tests with TORCHWARD_FUZZ_RUNS (default 50000) instead of their short default
//   filter    substrings of test file paths to run (default: all)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureTorchVenv } from './torch-venv.mjs';

const args = process.argv.slice(2);
const fuzz = args.includes('--fuzz');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = walk('build/test', [])
  .map((f) => relative('.', f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const env = { ...process.env };
// The second oracle (torch 2.13, Keras 3, transformers): built once per machine and cached. Tests that
// need it read TORCHWARD_TORCH2_PYTHON; a machine that cannot build it fails here, loudly.
env.TORCHWARD_TORCH2_PYTHON = ensureTorchVenv();
if (fuzz) env.TORCHWARD_FUZZ_RUNS ??= '50000';
const result = spawnSync(
  process.execPath,
  ['--test', '--enable-source-maps', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
