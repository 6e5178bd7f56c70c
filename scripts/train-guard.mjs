// `npm run train:guard`: trains the guard's linear model on the train split of data/guard/*.jsonl,
// fits the combiner and mode thresholds on the tune split, and writes src/guard/linear-model.json
// with its provenance. Seeded and deterministic: the same data gives the same bytes.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parseLabelledJsonl, splitOf } from '../dist/guard/dataset.js';
import { DEFAULT_TRAIN_OPTIONS, trainLinearModel } from '../dist/guard/train.js';

const dir = 'data/guard';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort();
const rows = [];
const sources = {};
for (const f of files) {
  const text = readFileSync(`${dir}/${f}`, 'utf8');
  sources[`${dir}/${f}`] = createHash('sha256').update(text).digest('hex');
  rows.push(...parseLabelledJsonl(text, f));
}
const train = rows.filter((r) => splitOf(r) === 'train');
const tune = rows.filter((r) => splitOf(r) === 'tune');
const count = (rs) => ({
  rows: rs.length,
  attack: rs.filter((r) => r.label !== 'benign').length,
  benign: rs.filter((r) => r.label === 'benign').length,
});
const provenance = {
  trainedBy: 'npm run train:guard (scripts/train-guard.mjs, src/guard/train.ts)',
  data: sources,
  dataReadme: 'data/guard/README.md (upstream repositories, commits and licences)',
  split:
    'src/guard/dataset.ts splitOf: SHA-256 of payload-or-text; 60% train / 20% tune / 20% test',
  train: count(train),
  tune: count(tune),
  options: DEFAULT_TRAIN_OPTIONS,
};
const t0 = Date.now();
const model = trainLinearModel(train, tune, provenance);
writeFileSync('src/guard/linear-model.json', `${JSON.stringify(model)}\n`);
console.error(
  `train:guard: ${train.length} train rows, ${tune.length} tune rows, ${model.index.length} weights, ` +
    `thresholds ${JSON.stringify(model.thresholds)}, combiner ${JSON.stringify(model.combiner)}, ${Date.now() - t0} ms`,
);
