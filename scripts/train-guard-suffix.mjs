// `npm run train:guard-suffix`: fits the guard's adversarial-suffix layer (src/guard/suffix.ts)
// and writes src/guard/suffix-model.json. Ordinary text: the train split of data/guard/*.jsonl
// (the character bigram table, the character n-gram language model, the vocabulary, and the
// negative windows and tails); GCG suffixes: the vicuna-13b white-box set of
// data/guard/gcg/jailbreakbench-gcg.json (positive windows and tails). The two thresholds
// let at most 0.2% of the benign train and tune rows through (the tail scorer adds none). The test split and the
// llama-2 GCG set are not read. Deterministic.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { parseLabelledJsonl, splitOf } from '../dist/guard/dataset.js';
import { trainCharLm } from '../dist/guard/charlm.js';
import {
  CLASSES,
  FEATURES,
  TAIL_FEATURES,
  linearScore,
  tailFeatures,
  MIN_JUNK,
  bestSuffixWindow,
  charClass,
  maskCode,
  wordSignals,
  words,
} from '../dist/guard/suffix.js';

const WINDOW = 10;
const MAX_BENIGN = 0.002;
// Tail scorer: words in the tail, and the character model's order and count cut-off (chosen by
// 5-fold cross-validation over the vicuna set against the train and tune benign rows).
const TAIL = 12;
const LM_ORDER = 4;
const LM_MIN_COUNT = 2;
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
// Class-balanced logistic regression on standardised features, full-batch gradient descent
// (deterministic).
function fitLogistic(X, Y, iterations) {
  const nf = X[0].length;
  const positives = Y.filter((y) => y === 1).length;
  const mean = new Array(nf).fill(0);
  const scale = new Array(nf).fill(0);
  for (const x of X) for (let k = 0; k < nf; k++) mean[k] += x[k] / X.length;
  for (const x of X) for (let k = 0; k < nf; k++) scale[k] += (x[k] - mean[k]) ** 2 / X.length;
  for (let k = 0; k < nf; k++) scale[k] = Math.sqrt(scale[k]) || 1;
  const Z = X.map((x) => x.map((v, k) => (v - mean[k]) / scale[k]));
  const wPos = X.length / (2 * positives);
  const wNeg = X.length / (2 * (X.length - positives));
  const w = new Array(nf).fill(0);
  let b = 0;
  for (let it = 0; it < iterations; it++) {
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
  return { weights: w, bias: b, mean, scale };
}
const fitted = fitLogistic(X, Y, 3000);
const w = fitted.weights;
const b = fitted.bias;
const mean = fitted.mean;
const scale = fitted.scale;
const round = (v) => Math.round(v * 1e6) / 1e6;
const model = {
  format: 'torchward-guard-suffix/2',
  window: WINDOW,
  weights: w.map(round),
  bias: round(b),
  mean: mean.map(round),
  scale: scale.map(round),
  threshold: 1,
  bigram,
  vocabulary,
  tail: { words: TAIL, weights: [], bias: 0, mean: [], scale: [], threshold: 1 },
  lm: trainCharLm(
    train.map((r) => r.text.slice(0, 20000)),
    LM_ORDER,
    LM_MIN_COUNT,
  ),
  provenance: {},
};
// Threshold: at most 0.2% of the benign train and tune rows (their best window) reach it.
const benign = [...train, ...tune].filter((r) => r.label === 'benign');
const best = benign.map((r) => bestSuffixWindow(model, r.text)?.score ?? 0).sort((a, b) => b - a);
const allowed = Math.floor(MAX_BENIGN * benign.length);
const top = best[allowed] ?? 0;
model.threshold = round(top + (1 - top) * 0.1);
const windowHit = (text) => (bestSuffixWindow(model, text)?.score ?? 0) >= model.threshold;

// The tail scorer. Negatives: the tail of every train row, and of cuts of it every few words (a
// tail of ordinary text wherever it ends); positives: each vicuna prompt as published.
const tailNeg = [];
for (const r of train) {
  const ws = words(r.text, 100000);
  const cuts = [r.text.length];
  const step = Math.max(TAIL, Math.floor(ws.length / 10));
  for (let e = TAIL; e < ws.length; e += step) cuts.push(ws[e].start);
  for (const c of cuts) {
    const f = tailFeatures(model, r.text.slice(0, c));
    if (f !== undefined) tailNeg.push(f.x);
  }
}
// Code, logs and Markdown are ordinary input too, and the prompt data holds little of them: the
// project's own TypeScript sources and docs (the project's licence) add tails of that kind. Files
// under src/guard/ and docs/guard*.md are left out (they quote adversarial suffixes).
const ownFiles = [];
(function walk(d) {
  for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const p = `${d}/${e.name}`;
    if (e.isDirectory()) {
      if (p !== 'src/guard') walk(p);
    } else if (p.endsWith('.ts')) ownFiles.push(p);
  }
})('src');
for (const f of readdirSync('docs').sort())
  if (f.endsWith('.md') && !f.startsWith('guard')) ownFiles.push(`docs/${f}`);
const ownHash = createHash('sha256');
for (const f of ownFiles) {
  const text = readFileSync(f, 'utf8');
  ownHash.update(f).update(text);
  const ws = words(text, 100000);
  for (let e = TAIL; e < ws.length; e += 97) {
    const x = tailFeatures(model, text.slice(0, ws[e].start))?.x;
    if (x !== undefined) tailNeg.push(x);
  }
}
const gcgTexts = gcg.map((g) => `${g.goal} ${g.suffix}`);
const tailPos = gcgTexts.map((t) => tailFeatures(model, t)?.x);
const benignWindowHit = benign.map((r) => windowHit(r.text));
const benignTail = benign.map((r) => tailFeatures(model, r.text)?.x);
// The tail threshold: above every benign train and tune tail the window scorer does not already
// report (the best of them plus 10% of the remaining margin), so the tail scorer adds no false
// alarm on these rows.
function tailThreshold(m) {
  let t = 0;
  benignTail.forEach((x, i) => {
    if (x !== undefined && !benignWindowHit[i]) t = Math.max(t, linearScore(m, x));
  });
  return { threshold: round(t + (1 - t) * 0.1), top: round(t) };
}
function fitTail(positives) {
  const X = [...tailNeg, ...positives];
  const Y = [...tailNeg.map(() => 0), ...positives.map(() => 1)];
  const m = fitLogistic(X, Y, 2000);
  return { ...m, ...tailThreshold(m) };
}
// 5-fold cross-validated recall over the vicuna prompts (either scorer), for the record.
let cvHits = 0;
for (let fold = 0; fold < 5; fold++) {
  const m = fitTail(tailPos.filter((x, i) => x !== undefined && i % 5 !== fold));
  gcgTexts.forEach((t, i) => {
    if (i % 5 !== fold) return;
    const x = tailPos[i];
    if (windowHit(t) || (x !== undefined && linearScore(m, x) >= m.threshold)) cvHits++;
  });
}
const tm = fitTail(tailPos.filter((x) => x !== undefined));
model.tail = {
  words: TAIL,
  weights: tm.weights.map(round),
  bias: round(tm.bias),
  mean: tm.mean.map(round),
  scale: tm.scale.map(round),
  threshold: tm.threshold,
};
const tailHit = (text) => {
  const x = tailFeatures(model, text)?.x;
  return x !== undefined && linearScore(model.tail, x) >= model.tail.threshold;
};
const fitRecall = gcgTexts.filter((t) => windowHit(t) || tailHit(t)).length / gcg.length;
const benignReported = benign.filter((r) => windowHit(r.text) || tailHit(r.text)).length;
model.provenance = {
  trainedBy: 'npm run train:guard-suffix (scripts/train-guard-suffix.mjs, src/guard/suffix.ts)',
  data,
  negatives: 'train split (src/guard/dataset.ts splitOf) of data/guard/*.jsonl, every label',
  positives: `${gcgPath}: vicuna-13b-v1.5 white-box GCG suffixes (JailbreakBench artifacts, MIT)`,
  threshold: `${allowed} of ${benign.length} benign train and tune rows above it: the next best window (${round(top)}) plus 10% of the remaining margin`,
  windows: { negative: X.length - positives, positive: positives },
  tailFeatures: TAIL_FEATURES,
  tailThreshold: `no benign train or tune row the window scorer does not report is above it: the best benign tail (${tm.top}) plus 10% of the remaining margin`,
  ownText: `${ownFiles.length} files of src/**/*.ts (not src/guard/) and docs/*.md (not guard*), SHA-256 ${ownHash.digest('hex')}: tails every 97 words as negatives`,
  tails: { negative: tailNeg.length, positive: tailPos.filter((x) => x !== undefined).length },
  languageModel: `character ${LM_ORDER}-grams (Witten-Bell interpolation) of the train split of data/guard/*.jsonl (first 20,000 characters of each row), grams of 3+ characters seen at least ${LM_MIN_COUNT} times`,
  benignReported: `${benignReported} of ${benign.length} benign train and tune rows`,
  fitRecall: round(fitRecall),
  cvRecall: `${cvHits} of ${gcg.length} vicuna prompts (5-fold cross-validation of the tail scorer; window scorer as shipped)`,
};
writeFileSync('src/guard/suffix-model.json', `${JSON.stringify(model)}\n`);
console.error(
  `train:guard-suffix: weights ${JSON.stringify(model.weights)} bias ${model.bias}; ` +
    `benign best window ${round(top)}, threshold ${model.threshold}; tail threshold ${model.tail.threshold}; ` +
    `vicuna GCG recall ${round(fitRecall)} (cross-validated ${cvHits}/${gcg.length}); benign reported ${benignReported}/${benign.length}; ` +
    `${vocabulary.length} words`,
);
