// Prints the markdown results table of docs/differential.md: every fixture of
// test/fixtures/torch/manifest.json with its expected verdict, torchward's verdict and whether
// torch 1.13 loads it with weights_only=True.
// Usage (after `npx tsc -p tsconfig.test.json`): node test/oracle/differential-table.mjs
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { scanFile } from '../../build/src/engine/scan.js';

const manifest = JSON.parse(readFileSync('test/fixtures/torch/manifest.json', 'utf8'));
const paths = Object.keys(manifest).map((rel) => `test/fixtures/${rel}`);
const run = spawnSync('/usr/bin/python3', ['test/oracle/torch_load.py'], {
  input: JSON.stringify(paths),
  encoding: 'utf8',
  maxBuffer: 1 << 26,
});
if (run.status !== 0) throw new Error(`oracle failed: ${run.stderr}`);
const oracle = JSON.parse(run.stdout);

const rows = [];
let matches = 0;
for (const [rel, entry] of Object.entries(manifest)) {
  const got = (await scanFile(`test/fixtures/${rel}`)).verdict;
  const o = oracle[`test/fixtures/${rel}`];
  if (got === entry.expect) matches++;
  const why = o.loads
    ? ''
    : ` (${o.error
        .replace(/^.*WeightsUnpickler error: /, '')
        .replace(/\|/g, '\\|')
        .slice(0, 70)})`;
  rows.push(
    `| \`${rel}\` | ${entry.technique ?? ''} | ${entry.kind} | ${entry.expect} | ${got === entry.expect ? got : `**${got}**`} | ${o.loads ? 'loads' : 'fails'}${why} |`,
  );
}
console.log(`${matches} of ${rows.length} fixtures get their expected verdict.\n`);
console.log('| Fixture | Technique | Kind | Expected | torchward | torch 1.13 weights_only=True |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
