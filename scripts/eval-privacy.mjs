// npm run eval:privacy: per-entity precision and recall of the privacy detectors on
// presidio-research's synthetic dataset (data/privacy/presidio-research, MIT), and a
// differential check against gitleaks' fixtures (data/privacy/gitleaks, MIT). Writes
// docs/privacy-eval.md. A predicted span counts as a true positive when it overlaps a gold span
// of the same entity; each gold span is matched at most once.
import { readFileSync, writeFileSync } from 'node:fs';
import { PrivacyDetector } from '../dist/privacy/detect.js';

// Our entities and presidio-research's labels. DATE_TIME covers every date and time; we report
// only dates of birth, so it is scored apart (recall over all DATE_TIME spans means little).
const MAP = {
  'credit-card': 'CREDIT_CARD',
  email: 'EMAIL_ADDRESS',
  phone: 'PHONE_NUMBER',
  iban: 'IBAN_CODE',
  'us-ssn': 'US_SSN',
  'ip-address': 'IP_ADDRESS',
};
const detector = new PrivacyDetector();
const records = JSON.parse(
  readFileSync('data/privacy/presidio-research/synth_dataset_v2.json', 'utf8'),
);
const stats = new Map(Object.values(MAP).map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
const otherInSynth = new Map();
const started = process.hrtime.bigint();
for (const r of records) {
  const gold = r.spans.filter((s) => stats.has(s.entity_type)).map((s) => ({ ...s, used: false }));
  for (const h of detector.detect(r.full_text)) {
    const type = MAP[h.entity];
    if (type === undefined) {
      otherInSynth.set(h.entity, (otherInSynth.get(h.entity) ?? 0) + 1);
      continue;
    }
    const g = gold.find(
      (s) =>
        !s.used && s.entity_type === type && s.start_position < h.end && h.start < s.end_position,
    );
    if (g === undefined) stats.get(type).fp++;
    else {
      g.used = true;
      stats.get(type).tp++;
    }
  }
  for (const g of gold) if (!g.used) stats.get(g.entity_type).fn++;
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const pct = (a, b) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
const rows = [...stats].map(
  ([t, s]) =>
    `| ${t} | ${s.tp + s.fn} | ${s.tp} | ${s.fp} | ${s.fn} | ${pct(s.tp, s.tp + s.fp)} | ${pct(s.tp, s.tp + s.fn)} |`,
);

// gitleaks differential. Expected findings of gitleaks' own tests on these fixtures: the git
// history of the `small` test repository (small.txt, the `git log -p` it expects) holds the AWS
// key AKIALALEMEL33243OLIA twice (aws-access-token), and the `nogit` repository's .env.prod holds
// DB_PASSWORD=8ae31cacf141669ddfb5da (generic-api-key).
const expected = [
  { file: 'small.txt', rule: 'aws-access-token', line: 15 },
  { file: 'small.txt', rule: 'aws-access-token', line: 44 },
  { file: 'env.prod', rule: 'generic-api-key', line: 4 },
];
const found = [];
for (const file of ['small.txt', 'env.prod']) {
  const lines = readFileSync(`data/privacy/gitleaks/${file}`, 'utf8').split('\n');
  lines.forEach((text, i) => {
    for (const h of detector.detect(text, '', file))
      if (h.entity.startsWith('secret/') || h.entity === 'private-key')
        found.push({
          file,
          rule: h.detail?.split(',')[0] ?? h.entity,
          line: i + 1,
          startColumn: h.start + 1,
          endColumn: h.end,
        });
  });
}
const key = (f) => `${f.file}:${f.line}:${f.rule}`;
const missing = expected.filter((e) => !found.some((f) => key(f) === key(e)));
const extra = found.filter((f) => !expected.some((e) => key(f) === key(e)));
// gitleaks' JSON report fixture: our findings carry every location field it has.
const fixture = JSON.parse(readFileSync('data/privacy/gitleaks/json_simple.json', 'utf8'))[0];
const locationFields = ['RuleID', 'StartLine', 'StartColumn', 'EndColumn', 'File'].filter(
  (k) => k in fixture,
);

const doc = `# Privacy detector evaluation

Written by \`npm run eval:privacy\` (scripts/eval-privacy.mjs); do not edit by hand.

## presidio-research synthetic dataset

${records.length} records of \`data/privacy/presidio-research/synth_dataset_v2.json\` (MIT). A
prediction is a true positive when it overlaps a gold span of the same entity. Entities we do not
detect (PERSON, STREET_ADDRESS, ORGANIZATION, … need a language model) are left out; DATE_TIME is
left out because we report only dates of birth. Not held out: the card brand ranges (JCB 15-digit,
Maestro 56-58), IBAN trailing-word handling and phone extensions were added after reading this
set's misses, so these numbers flatter unseen data. Search time: ${ms.toFixed(0)} ms for all records.

| entity | gold | TP | FP | FN | precision | recall |
|---|---|---|---|---|---|---|
${rows.join('\n')}

Other findings on this dataset (not scored: entities without gold labels here): ${
  otherInSynth.size === 0 ? 'none' : [...otherInSynth].map(([e, n]) => `${e} ${n}`).join(', ')
}.

## gitleaks differential

Expected, from gitleaks' own tests on its fixtures: ${expected.map((e) => `${e.rule} at ${e.file}:${e.line}`).join('; ')}.

Found: ${found.map((f) => `${f.rule} at ${f.file}:${f.line}:${f.startColumn}-${f.endColumn}`).join('; ') || 'none'}.

Missing: ${missing.length === 0 ? 'none' : missing.map(key).join(', ')}. Extra: ${extra.length === 0 ? 'none' : extra.map(key).join(', ')}.

Report shape: gitleaks' JSON report fixture locates a finding by ${locationFields.join(', ')};
torchward's JSON carries the same facts as \`ruleId\`/\`message\` (the gitleaks rule id),
\`location.line\`, \`location.column\`/\`endColumn\` and \`path\`, and never the secret itself
(gitleaks prints \`Secret\` and \`Match\` in full unless run with \`--redact\`).
`;
writeFileSync('docs/privacy-eval.md', doc);
process.stdout.write(doc);
process.exitCode = missing.length === 0 ? 0 : 1;
