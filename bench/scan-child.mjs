// Scans the paths in argv in a fresh process and prints {ms, maxRssMB, files, verdicts} as JSON.
import { scanPaths } from '../dist/index.js';

const started = process.hrtime.bigint();
const report = await scanPaths(process.argv.slice(2));
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const verdicts = {};
for (const f of report.files) verdicts[f.verdict] = (verdicts[f.verdict] ?? 0) + 1;
const bytes = report.files.reduce((a, f) => a + f.size, 0);
console.log(
  JSON.stringify({
    ms: Math.round(ms),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    files: report.files.length,
    bytes,
    verdicts,
    internalErrors: report.summary.internalErrors.length,
  }),
);
