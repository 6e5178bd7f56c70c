// `npm run bench [-- NAME...]`: runs the benchmarks (all by default) one after another and prints
// one JSON line per result. Inputs are generated under bench/out/ (gitignored).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ALL = [
  'scan',
  'workflows',
  'hash',
  'convert',
  'formats',
  'code',
  'code-parse',
  'guard',
  'limits',
  'process',
  'serve',
  'serve-load',
  'privacy',
];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
let failed = false;
for (const name of wanted.length > 0 ? wanted : ALL) {
  const script = `bench/${name}.mjs`;
  if (!existsSync(script)) {
    console.error(`bench: no ${script}`);
    failed = true;
    continue;
  }
  console.error(`bench: ${name}`);
  const r = spawnSync(process.execPath, ['--expose-gc', script], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
