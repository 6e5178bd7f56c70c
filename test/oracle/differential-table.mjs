// Prints the markdown results table of docs/differential.md: every fixture of
// test/fixtures/torch/manifest.json with its expected verdict, torchward's verdict and whether
// torch 1.13 and torch 2.13 load it with weights_only=True.
// Usage (after `npx tsc -p tsconfig.test.json`; the torch 2.13 python from
// `node scripts/torch-venv.mjs`):
//   TORCHWARD_TORCH2_PYTHON=… node test/oracle/differential-table.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { scanFile } from '../../build/src/engine/scan.js';

const manifest = JSON.parse(readFileSync('test/fixtures/torch/manifest.json', 'utf8'));
const paths = Object.keys(manifest).map((rel) => `test/fixtures/${rel}`);
function oracle(python, env) {
  const run = spawnSync(python, ['test/oracle/torch_load.py'], {
    input: JSON.stringify(paths),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env,
  });
  if (run.status !== 0) throw new Error(`oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
const torch2 = process.env.TORCHWARD_TORCH2_PYTHON;
if (torch2 === undefined)
  throw new Error('set TORCHWARD_TORCH2_PYTHON (node scripts/torch-venv.mjs)');
const oracles = [
  oracle('/usr/bin/python3', process.env),
  oracle(torch2, { ...process.env, KERAS_BACKEND: 'torch' }),
];

/** 'loads', or 'fails (why)' with the unpickler's own reason where it gives one. */
function cell(o) {
  if (o.loads) return 'loads';
  const why = o.error
    .replace(/^.*WeightsUnpickler error: /, '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/\|/g, '\\|')
    .slice(0, 70);
  return `fails (${why})`;
}

const rows = [];
let matches = 0;
for (const [rel, entry] of Object.entries(manifest)) {
  const got = (await scanFile(`test/fixtures/${rel}`)).verdict;
  if (got === entry.expect) matches++;
  const [o1, o2] = oracles.map((o) => o[`test/fixtures/${rel}`]);
  rows.push(
    `| \`${rel}\` | ${entry.technique ?? ''} | ${entry.kind} | ${entry.expect} | ${got === entry.expect ? got : `**${got}**`} | ${cell(o1)} | ${cell(o2)} |`,
  );
}
console.log(`${matches} of ${rows.length} fixtures get their expected verdict.\n`);
console.log(
  '| Fixture | Technique | Kind | Expected | torchward | torch 1.13 weights_only=True | torch 2.13 weights_only=True |',
);
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
