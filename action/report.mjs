// The report step of action.yml: reads torchward's JSON report (TW_JSON), appends a summary table
// to the job summary (GITHUB_STEP_SUMMARY) and prints a workflow annotation for each finding on a
// line the pull request changed (TW_BASE: the base commit; without it, no annotations: the SARIF
// upload shows every finding). Node built-ins only; reads the diff with `git diff`.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

const report = JSON.parse(readFileSync(process.env.TW_JSON ?? '', 'utf8'));
const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();

/** A report path as a repository path ('./a/b' and '/ws/a/b' both become 'a/b'). */
function repoPath(path) {
  const p = isAbsolute(path) ? relative(workspace, path) : path;
  return p.replace(/^(\.\/)+/, '');
}

/** Changed lines per file between the base commit and HEAD; `true` for a binary change. */
function changedLines(base) {
  const changed = new Map();
  if (base === undefined || base === '') return changed;
  let diff;
  try {
    diff = execFileSync(
      'git',
      ['diff', '--unified=0', '--no-color', '--no-ext-diff', `${base}...HEAD`],
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      },
    );
  } catch (error) {
    console.log(
      `::warning::torchward: cannot diff against ${base} (fetch the base commit: actions/checkout with fetch-depth: 0): ${String(error.message).split('\n')[0]}`,
    );
    return changed;
  }
  let file;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) {
      file = line === '+++ /dev/null' ? undefined : line.slice(4).replace(/^b\//, '');
      if (file !== undefined && !changed.has(file)) changed.set(file, new Set());
      continue;
    }
    const binary = /^Binary files (?:\S+) and b\/(.+) differ$/.exec(line);
    if (binary !== null) {
      changed.set(binary[1], true);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk !== null && file !== undefined) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      const set = changed.get(file);
      if (set !== true) for (let i = start; i < start + count; i++) set.add(i);
    }
  }
  return changed;
}

const escapeData = (s) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const LEVEL = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'notice',
};

const changed = changedLines(process.env.TW_BASE);
let annotated = 0;
for (const file of report.files) {
  const path = repoPath(file.path);
  const lines = changed.get(path);
  if (lines === undefined) continue;
  for (const f of file.findings) {
    if (f.suppressed !== undefined) continue;
    const line = f.location?.line;
    // A finding in a binary file (no line) is annotated on the file when the file changed.
    if (line !== undefined && (lines === true || !lines.has(line))) continue;
    if (line === undefined && lines !== true && lines.size === 0) continue;
    const props = [
      `file=${escapeProperty(path)}`,
      `title=${escapeProperty(`torchward ${f.ruleId}`)}`,
    ];
    if (line !== undefined) {
      props.push(`line=${line}`);
      if (f.location.endLine !== undefined) props.push(`endLine=${f.location.endLine}`);
    }
    console.log(`::${LEVEL[f.severity] ?? 'warning'} ${props.join(',')}::${escapeData(f.message)}`);
    annotated++;
  }
}

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const s = report.summary;
const rows = [
  '## torchward scan',
  '',
  `${s.files} file(s): ${s.safe} safe, ${s.suspicious} suspicious, ${s.malicious} malicious, ${s.invalid} invalid, ${s.audited} audited, ${s.unscanned ?? 0} not scanned; ${annotated} annotation(s) on changed lines.`,
  '',
  '| Verdict | File | Format | Findings | Worst |',
  '| --- | --- | --- | ---: | --- |',
];
const ORDER = ['critical', 'high', 'medium', 'low', 'info'];
for (const file of report.files) {
  const open = file.findings.filter((f) => f.suppressed === undefined);
  if (file.verdict === 'safe' && open.length === 0) continue;
  if (file.verdict === null && open.length === 0) continue;
  const worst = ORDER.find((sev) => open.some((f) => f.severity === sev)) ?? '';
  rows.push(
    `| ${cell(file.verdict ?? (file.format === 'unscanned' ? 'not scanned' : 'audited'))} | \`${cell(repoPath(file.path))}\` | ${cell(file.format)} | ${open.length} | ${worst} |`,
  );
}
if (rows.length === 6) rows.push('| safe | (every file) | | 0 | |');
const summaryFile = process.env.GITHUB_STEP_SUMMARY;
if (summaryFile !== undefined && summaryFile !== '')
  appendFileSync(summaryFile, `${rows.join('\n')}\n`);
else console.log(rows.join('\n'));
