// File-level agreement with zizmor's offline snapshot findings (issue 21 items 7 and 1). Run by
// hand against a checkout of zizmorcore/zizmor (MIT; nothing of it is committed here):
//   npm run build && node scripts/zizmor-parity.mjs /path/to/zizmor [--missed]
//
// Reads crates/zizmor/tests/integration/audit/*.rs test by test: each `#[test]` function's inputs
// (`input_under_test("file")`), its flags, and the `level[audit]` findings its inline snapshot
// records. Offline audits only (not impostor-commit, ref-confusion, known-vulnerable-actions,
// stale-action-refs).
//
// Like with like: a run with `--persona=auditor`, `--persona=pedantic` or `--pedantic` is compared
// with torchward's pedantic mode; any other run with torchward's default mode. A (file, audit,
// mode) triple is counted once and is matched when torchward, in that mode, reports on that file a
// finding of a rule equivalent to the audit (src/rules/zizmor-equivalents.ts). A run with
// `.config(...)` whose config sets forbidden-uses gets the same allow/deny list as torchward's
// `workflows.forbidden-uses` key. Directory inputs (several files) are not counted.
//
// Prints one JSON line: the zizmor commit, the rate per mode and overall, and per-audit counts;
// with --missed, also the triples torchward misses.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const zizmor = process.argv[2];
const showMissed = process.argv.includes('--missed');
if (zizmor === undefined || zizmor.startsWith('--')) {
  throw new Error('usage: node scripts/zizmor-parity.mjs ZIZMOR_DIR [--missed]');
}
const base = join(zizmor, 'crates', 'zizmor', 'tests', 'integration');
const ONLINE = new Set([
  'impostor-commit',
  'ref-confusion',
  'known-vulnerable-actions',
  'stale-action-refs',
]);

let commit = 'unknown';
try {
  commit = execFileSync('git', ['-C', zizmor, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  // a tarball without .git: the commit is reported as unknown
}

// Reads the forbidden-uses allow/deny list out of a zizmor config (a tiny, known shape; the yaml
// package is the project's parser, so use it rather than guess).
const { parse: parseYaml } = await import('yaml');
function forbiddenUsesOf(configPath) {
  if (configPath === undefined || !existsSync(configPath)) return undefined;
  const doc = parseYaml(readFileSync(configPath, 'utf8'));
  const cfg = doc?.rules?.['forbidden-uses']?.config;
  if (cfg === undefined || cfg === null) return undefined;
  if (Array.isArray(cfg.allow)) return { allow: cfg.allow.map(String) };
  if (Array.isArray(cfg.deny)) return { deny: cfg.deny.map(String) };
  return undefined;
}

const triples = new Map();
for (const name of readdirSync(join(base, 'audit')).sort()) {
  if (!name.endsWith('.rs')) continue;
  const text = readFileSync(join(base, 'audit', name), 'utf8');
  for (const test of text.split(/#\[test\]/).slice(1)) {
    const inputs = [...test.matchAll(/\.input\(\s*input_under_test\(\s*"([^"]+)"/g)].map(
      (m) => m[1],
    );
    if (inputs.length !== 1) continue; // several inputs: findings cannot be told apart by file
    const args = [...test.matchAll(/\.args\(\[([^\]]*)\]\)/g)].map((m) => m[1]).join(' ');
    const pedantic = /--persona=(auditor|pedantic)|--pedantic/.test(args);
    const configMatch = /\.config\(\s*input_under_test\(\s*"([^"]+)"/.exec(test);
    const configPath = configMatch === null ? undefined : join(base, 'test-data', configMatch[1]);
    const forbiddenUses = forbiddenUsesOf(configPath);
    const file = inputs[0];
    for (const m of test.matchAll(/\b(?:error|warning|help|info|note)\[([a-z-]+)\]:/g)) {
      const audit = m[1];
      if (ONLINE.has(audit)) continue;
      const mode = pedantic ? 'pedantic' : 'default';
      const key = `${file}\u0000${audit}\u0000${mode}\u0000${JSON.stringify(forbiddenUses ?? null)}`;
      triples.set(key, { file, audit, mode, forbiddenUses });
    }
  }
}

const { DEFAULT_LIMITS } = await import('../dist/core/limits.js');
const { auditWorkflowFiles } = await import('../dist/engine/workflow-audit.js');
const { ciRules } = await import('../dist/rules/ci/index.js');
const { zizmorEquivalents } = await import('../dist/rules/zizmor-equivalents.js');
const equivalents = zizmorEquivalents(ciRules);

const reportedCache = new Map();
async function reportedRules(file, mode, forbiddenUses) {
  const key = `${file}\u0000${mode}\u0000${JSON.stringify(forbiddenUses ?? null)}`;
  if (reportedCache.has(key)) return reportedCache.get(key);
  const path = join(base, 'test-data', file);
  let out;
  if (existsSync(path) && statSync(path).isFile() && /\.ya?ml$/.test(file)) {
    const config = forbiddenUses === undefined ? {} : { forbiddenUses };
    const [result] = await auditWorkflowFiles([{ path, uri: file }], {
      limits: DEFAULT_LIMITS,
      config,
      pedantic: mode === 'pedantic',
    });
    out = new Set(result.findings.map((f) => f.ruleId));
  }
  reportedCache.set(key, out);
  return out;
}

const perAudit = {};
const perMode = { default: { pairs: 0, matched: 0 }, pedantic: { pairs: 0, matched: 0 } };
const missed = [];
for (const { file, audit, mode, forbiddenUses } of triples.values()) {
  const rules = await reportedRules(file, mode, forbiddenUses);
  if (rules === undefined) continue; // a directory input: not counted
  const ok = (equivalents.get(audit) ?? []).some((r) => rules.has(r));
  perMode[mode].pairs++;
  if (ok) perMode[mode].matched++;
  const t = (perAudit[audit] ??= { pairs: 0, matched: 0 });
  t.pairs++;
  if (ok) t.matched++;
  else missed.push(`${mode} ${audit} ${file}`);
}
const rate = (m) => `${((100 * m.matched) / Math.max(1, m.pairs)).toFixed(1)}%`;
const all = {
  pairs: perMode.default.pairs + perMode.pedantic.pairs,
  matched: perMode.default.matched + perMode.pedantic.matched,
};
console.log(
  JSON.stringify({
    zizmorCommit: commit,
    pairs: all.pairs,
    matched: all.matched,
    rate: rate(all),
    default: { ...perMode.default, rate: rate(perMode.default) },
    pedantic: { ...perMode.pedantic, rate: rate(perMode.pedantic) },
    perAudit,
    ...(showMissed ? { missed: missed.sort() } : {}),
  }),
);
