// Precision of the workflow audit on real workflows (issue 21 item 7).
//
// Audits every workflow and composite action of test/fixtures/workflow-corpus/<repo>/ (copies of
// seven ML repositories' .github folders at the commits in SOURCES.md) with the compiled dist/,
// matches each finding to the hand-made label file labels.json by (file, line, rule, message id)
// and prints the false-alarm rate at the default settings and at --min-confidence medium.
// Unlabelled findings and labels that no longer match a finding are listed and fail the run.
//
// Usage: npm run build && node scripts/eval-workflows.mjs [--write-missing]
//   --write-missing  append unlabelled findings to labels.json with "label": null (to be labelled
//                    by hand; a null label also fails the run).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const CORPUS = join('test', 'fixtures', 'workflow-corpus');
const LABELS = join(CORPUS, 'labels.json');
const { DEFAULT_LIMITS } = await import('../dist/core/limits.js');
const { auditWorkflowFiles } = await import('../dist/engine/workflow-audit.js');

const key = (x) => `${x.file}:${x.line}:${x.rule}:${x.messageId}`;

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.ya?ml$/.test(name) && name !== 'labels.json') out.push(path);
  }
  return out;
}

// Each repository is audited twice: as a user runs it (default), and in pedantic mode, whose
// extra findings (runner guesses, code smells) are not scored but keep their labels from going
// stale.
const findings = [];
const pedanticKeys = new Set();
for (const repo of readdirSync(CORPUS).sort()) {
  const root = join(CORPUS, repo);
  if (!statSync(root).isDirectory()) continue;
  const files = walk(join(root, '.github')).map((path) => ({
    path,
    uri: relative(CORPUS, path).split('\\').join('/'),
  }));
  for (const pedantic of [false, true]) {
    const results = await auditWorkflowFiles(files, {
      limits: DEFAULT_LIMITS,
      config: {},
      repoRoot: root,
      pedantic,
    });
    for (const result of results) {
      const lineOf = (offset) => result.text.slice(0, offset).split('\n').length;
      for (const f of result.findings) {
        const finding = {
          file: result.uri,
          line: lineOf(f.primary.span.start),
          rule: f.ruleId,
          messageId: f.messageId,
          confidence: f.confidence,
        };
        if (pedantic) pedanticKeys.add(key(finding));
        else findings.push(finding);
      }
    }
  }
}

const labels = JSON.parse(readFileSync(LABELS, 'utf8'));
// Several findings may share a key (two expressions on one line): labels count per key.
const byKey = new Map();
for (const label of labels.findings) {
  const list = byKey.get(key(label)) ?? [];
  list.push(label);
  byKey.set(key(label), list);
}
const used = new Map();
const missing = [];
const tally = { all: { n: 0, false: 0 }, medium: { n: 0, false: 0 } };
const perRule = new Map();
for (const f of findings) {
  const list = byKey.get(key(f)) ?? [];
  const index = used.get(key(f)) ?? 0;
  used.set(key(f), index + 1);
  const label = list[index] ?? list[list.length - 1];
  if (label === undefined || label.label === null) {
    missing.push(f);
    continue;
  }
  const rule = perRule.get(f.rule) ?? { n: 0, false: 0 };
  perRule.set(f.rule, rule);
  for (const [name, counted] of [
    ['all', true],
    ['medium', f.confidence !== 'low'],
  ]) {
    if (!counted) continue;
    tally[name].n++;
    if (label.label === false) tally[name].false++;
  }
  rule.n++;
  if (label.label === false) rule.false++;
}
const unused = labels.findings.filter((l) => (used.get(key(l)) ?? 0) === 0);
// Labels of findings that only pedantic mode shows: not scored, not stale.
const pedanticOnly = unused.filter((l) => pedanticKeys.has(key(l)));
const stale = unused.filter((l) => !pedanticKeys.has(key(l)));
const pct = (t) => (t.n === 0 ? 'n/a' : `${((100 * t.false) / t.n).toFixed(1)}%`);
console.log(
  JSON.stringify({
    findings: findings.length,
    labelled: tally.all.n,
    falseAlarms: tally.all.false,
    falseAlarmRate: pct(tally.all),
    minConfidenceMedium: {
      findings: tally.medium.n,
      falseAlarms: tally.medium.false,
      falseAlarmRate: pct(tally.medium),
    },
    perRule: Object.fromEntries(
      [...perRule].sort().map(([r, t]) => [r, { findings: t.n, falseAlarms: t.false }]),
    ),
    pedanticOnlyLabels: {
      findings: pedanticOnly.length,
      falseAlarms: pedanticOnly.filter((l) => l.label === false).length,
    },
    unlabelled: missing.length,
    staleLabels: stale.length,
  }),
);
if (process.argv.includes('--write-missing') && missing.length > 0) {
  for (const f of missing) {
    labels.findings.push({ ...f, label: null, note: '' });
  }
  writeFileSync(LABELS, `${JSON.stringify(labels, null, 1)}\n`);
}
for (const f of missing.slice(0, 20)) console.error(`unlabelled: ${key(f)}`);
for (const l of stale.slice(0, 20)) console.error(`stale label: ${key(l)}`);
process.exit(missing.length > 0 || stale.length > 0 ? 1 : 0);
