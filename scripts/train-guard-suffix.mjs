// `npm run train:guard-suffix`: fits the guard's adversarial-suffix layer (src/guard/suffix.ts)
// and writes src/guard/suffix-model.json. Ordinary text: the train split of data/guard/*.jsonl
// (the character bigram table, the vocabulary, and the negative windows); GCG suffixes: the
// vicuna-13b white-box set of data/guard/gcg/jailbreakbench-gcg.json (positive windows). The
// threshold lets at most 0.2% of the benign train and tune rows through. The test split and the llama-2 GCG set are not read. Deterministic.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parseLabelledJsonl, splitOf } from '../dist/guard/dataset.js';
import {
  CLASSES,
  FEATURES,
  MIN_JUNK,
  bestSuffixWindow,
  charClass,
  maskCode,
  wordSignals,
  words,
} from '../dist/guard/suffix.js';

const WINDOW = 10;
const MAX_BENIGN = 0.002;
const dir = 'data/guard';
const rows = [];
const data = {};
for (const f of readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()) {
  const text = readFileSync(`${dir}/${f}`, 'utf8');
  data[`${dir}/${f}`] = createHash('sha256').update(text).digest('hex');
  rows.push(...parseLabelledJsonl(text, f));
}
const gcgPath = `${dir}/gcg/jailbreakbench-gcg.json`;
const gcgText = readFileSync(gcgPath, 'utf8');
data[gcgPath] = createHash('sha256').update(gcgText).digest('hex');
const gcg = JSON.parse(gcgText).sets['vicuna-13b-v1.5'];
const train = rows.filter((r) => splitOf(r) === 'train');
const tune = rows.filter((r) => splitOf(r) === 'tune');

// Character-class bigram surprise of ordinary text (train split, every label).
const counts = new Float64Array(CLASSES * CLASSES).fill(0.5);
for (const r of train) {
  let p = 53;
  const t = r.text.slice(0, 20000);
  for (let i = 0; i < t.length; i++) {
    const k = charClass(t.charCodeAt(i));
    counts[p * CLASSES + k]++;
    p = k;
  }
}
const bigram = [];
for (let a = 0; a < CLASSES; a++) {
  let s = 0;
  for (let b = 0; b < CLASSES; b++) s += counts[a * CLASSES + b];
  for (let b = 0; b < CLASSES; b++)
    bigram.push(Math.round(-Math.log(counts[a * CLASSES + b] / s) * 1000) / 1000);
}

// Vocabulary: lower-case words of three letters or more seen at least twice in the train split.
const wc = new Map();
for (const r of train)
  for (const w of r.text.toLowerCase().match(/\p{L}{3,}/gu) ?? []) wc.set(w, (wc.get(w) ?? 0) + 1);
const vocabulary = [...wc]
  .filter(([, n]) => n >= 2)
  .map(([w]) => w)
  .sort();
const vocab = new Set(vocabulary);

// Window samples: mean signals of WINDOW consecutive words.
function windows(text, from = 0) {
  const ws = words(maskCode(text), 100000);
  const sig = ws.map((w, i) => wordSignals(w.w, ws[i - 1]?.w, bigram, vocab));
  const out = [];
  for (let i = Math.max(WINDOW - 1, 0); i < ws.length; i++) {
    if (ws[i - WINDOW + 1].start < from) continue;
    let foreign = 0;
    for (let j = i - WINDOW + 1; j <= i; j++) if (/[\u0080-\uffff]/.test(ws[j].w)) foreign++;
    if (foreign > 1) continue;
    const m = new Array(FEATURES.length).fill(0);
    for (let j = i - WINDOW + 1; j <= i; j++) for (let k = 0; k < m.length; k++) m[k] += sig[j][k];
    if (m[1] + m[2] < MIN_JUNK) continue;
    out.push(m.map((v) => v / WINDOW));
  }
  return out;
}
const X = [];
const Y = [];
for (const r of train) {
  const ws = windows(r.text);
  for (let i = 0; i < ws.length; i += Math.max(1, Math.floor(ws.length / 40))) {
    X.push(ws[i]);
    Y.push(0);
  }
}
let positives = 0;
for (const g of gcg) {
  const text = `${g.goal} ${g.suffix}`;
  for (const w of windows(text, g.goal.length + 1)) {
    X.push(w);
    Y.push(1);
    positives++;
  }
}
const nf = FEATURES.length;
const mean = new Array(nf).fill(0);
const scale = new Array(nf).fill(0);
for (const x of X) for (let k = 0; k < nf; k++) mean[k] += x[k] / X.length;
for (const x of X) for (let k = 0; k < nf; k++) scale[k] += (x[k] - mean[k]) ** 2 / X.length;
for (let k = 0; k < nf; k++) scale[k] = Math.sqrt(scale[k]) || 1;
const Z = X.map((x) => x.map((v, k) => (v - mean[k]) / scale[k]));
// Class-balanced logistic regression, full-batch gradient descent (deterministic).
const wPos = X.length / (2 * positives);
const wNeg = X.length / (2 * (X.length - positives));
const w = new Array(nf).fill(0);
let b = 0;
for (let it = 0; it < 3000; it++) {
  const g = new Array(nf).fill(0);
  let gb = 0;
  for (let i = 0; i < Z.length; i++) {
    let z = b;
    for (let k = 0; k < nf; k++) z += w[k] * Z[i][k];
    const p = 1 / (1 + Math.exp(-z));
    const e = (p - Y[i]) * (Y[i] === 1 ? wPos : wNeg);
    for (let k = 0; k < nf; k++) g[k] += e * Z[i][k];
    gb += e;
  }
  for (let k = 0; k < nf; k++) w[k] -= (0.5 * g[k]) / Z.length + 1e-4 * w[k];
  b -= (0.5 * gb) / Z.length;
}
const round = (v) => Math.round(v * 1e6) / 1e6;
const model = {
  format: 'torchward-guard-suffix/1',
  window: WINDOW,
  weights: w.map(round),
  bias: round(b),
  mean: mean.map(round),
  scale: scale.map(round),
  threshold: 1,
  bigram,
  vocabulary,
  provenance: {},
};
// Threshold: at most 0.2% of the benign train and tune rows (their best window) reach it.
const benign = [...train, ...tune].filter((r) => r.label === 'benign');
const best = benign.map((r) => bestSuffixWindow(model, r.text)?.score ?? 0).sort((a, b) => b - a);
const allowed = Math.floor(MAX_BENIGN * benign.length);
const top = best[allowed] ?? 0;
model.threshold = round(top + (1 - top) * 0.1);
const fitRecall =
  gcg.filter(
    (g) => (bestSuffixWindow(model, `${g.goal} ${g.suffix}`)?.score ?? 0) >= model.threshold,
  ).length / gcg.length;
model.provenance = {
  trainedBy: 'npm run train:guard-suffix (scripts/train-guard-suffix.mjs, src/guard/suffix.ts)',
  data,
  negatives: 'train split (src/guard/dataset.ts splitOf) of data/guard/*.jsonl, every label',
  positives: `${gcgPath}: vicuna-13b-v1.5 white-box GCG suffixes (JailbreakBench artifacts, MIT)`,
  threshold: `${allowed} of ${benign.length} benign train and tune rows above it: the next best window (${round(top)}) plus 10% of the remaining margin`,
  windows: { negative: X.length - positives, positive: positives },
  fitRecall: round(fitRecall),
};
writeFileSync('src/guard/suffix-model.json', `${JSON.stringify(model)}\n`);
console.error(
  `train:guard-suffix: weights ${JSON.stringify(model.weights)} bias ${model.bias}; ` +
    `benign best window ${round(top)}, threshold ${model.threshold}; vicuna GCG recall ${round(fitRecall)}; ` +
    `${vocabulary.length} words`,
);
