// File-level agreement with zizmor's offline snapshot findings (issue 21 item 7). Run by hand
// against a checkout of zizmorcore/zizmor (MIT; nothing of it is committed here):
//   npm run build && node scripts/zizmor-parity.mjs /path/to/zizmor
// Reads crates/zizmor/tests/integration/audit/*.rs, takes each `input_under_test("file")` and the
// `level[audit]` findings its inline snapshot records, keeps offline audits (not impostor-commit,
// ref-confusion, known-vulnerable-actions, stale-action-refs), and counts a (file, audit) pair as
// matched when torchward reports, on that file, a finding of a rule equivalent to the audit
// (src/rules/zizmor-equivalents.ts). Prints one JSON line with the rate and per-audit counts.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const zizmor = process.argv[2];
if (zizmor === undefined) throw new Error('usage: node scripts/zizmor-parity.mjs ZIZMOR_DIR');
const base = join(zizmor, 'crates', 'zizmor', 'tests', 'integration');
const ONLINE = new Set([
  'impostor-commit',
  'ref-confusion',
  'known-vulnerable-actions',
  'stale-action-refs',
]);
const pairs = new Map();
for (const name of readdirSync(join(base, 'audit')).sort()) {
  if (!name.endsWith('.rs')) continue;
  const text = readFileSync(join(base, 'audit', name), 'utf8');
  let input;
  for (const m of text.matchAll(
    /input_under_test\(\s*"([^"]+)"|\b(?:error|warning|help|info|note)\[([a-z-]+)\]:/g,
  )) {
    if (m[1] !== undefined) {
      input = m[1];
      continue;
    }
    const audit = m[2];
    if (input === undefined || ONLINE.has(audit)) continue;
    pairs.set(`${input}\u0000${audit}`, { file: input, audit });
  }
}
const { DEFAULT_LIMITS } = await import('../dist/core/limits.js');
const { auditWorkflowFiles } = await import('../dist/engine/workflow-audit.js');
const { ciRules } = await import('../dist/rules/ci/index.js');
const { zizmorEquivalents } = await import('../dist/rules/zizmor-equivalents.js');
const equivalents = zizmorEquivalents(ciRules);
const reported = new Map();
for (const { file } of pairs.values()) {
  if (reported.has(file)) continue;
  const path = join(base, 'test-data', file);
  if (!existsSync(path) || !/\.ya?ml$/.test(file)) {
    reported.set(file, undefined);
    continue;
  }
  const [result] = await auditWorkflowFiles([{ path, uri: file }], {
    limits: DEFAULT_LIMITS,
    config: {},
    pedantic: true,
  });
  reported.set(file, new Set(result.findings.map((f) => f.ruleId)));
}
const perAudit = {};
let matched = 0;
let total = 0;
for (const { file, audit } of pairs.values()) {
  const rules = reported.get(file);
  if (rules === undefined) continue; // a directory input (several files): not counted
  total++;
  const ok = (equivalents.get(audit) ?? []).some((r) => rules.has(r));
  if (ok) matched++;
  const t = (perAudit[audit] ??= { pairs: 0, matched: 0 });
  t.pairs++;
  if (ok) t.matched++;
}
console.log(
  JSON.stringify({
    pairs: total,
    matched,
    rate: `${((100 * matched) / total).toFixed(1)}%`,
    perAudit,
  }),
);
