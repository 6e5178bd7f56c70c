// `npm run train:guard-suffix`: fits the guard's adversarial-suffix layer (src/guard/suffix.ts)
// and writes src/guard/suffix-model.json. Ordinary text: the train split of data/guard/*.jsonl
// (the character bigram table, the character n-gram language model, the vocabulary, and the
// negative windows and tails), plus half of TypeScript's translated compiler messages (other
// languages; see below); GCG suffixes: the vicuna-13b white-box set of
// data/guard/gcg/jailbreakbench-gcg.json and seeded synthetic suffixes of LLaMA vocabulary tokens
// (positive windows and tails). The window threshold lets at most 0.2% of the benign train and
// tune rows through, the tail threshold one more row. The test split and the llama-2 GCG set are
// not read. Deterministic.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import llamaTokenizer from 'llama-tokenizer-js';
import { parseLabelledJsonl, splitOf } from '../dist/guard/dataset.js';
import { trainCharLm } from '../dist/guard/charlm.js';
import { mulberry32 as rng } from '../dist/guard/train.js';
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
// 5-fold cross-validation over the vicuna set against the train and tune benign rows). With the
// synthetic suffixes a 20-word tail cross-validated better (93 against 91 of 96) but reported a
// vicuna request on its own and a benign sentence of names in test/guard/suffix.test.ts; 12 words
// report neither.
const TAIL = 12;
// Benign train and tune rows the tail scorer may report on its own (of about 1,100).
const TAIL_ALLOWED = 1;
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

// Synthetic GCG-style suffixes. GCG (llm-attacks) starts from twenty "!" tokens and swaps tokens
// of the target model's vocabulary, ASCII only (allow_non_ascii=False); the JailbreakBench models
// (vicuna, llama-2) share the LLaMA SentencePiece vocabulary, read here from the
// llama-tokenizer-js package (MIT, a devDependency; nothing of it is shipped). Three mixes: any
// token; mostly whole-word tokens, common ones first (low ids are early merges); mostly
// punctuation and code pieces. Some "!" of the initial suffix survive, as in partly optimised runs.
const pieces = [];
const wordPieces = [];
const punctPieces = [];
llamaTokenizer.vocabById.forEach((t, id) => {
  if (id < 3 || /^<0x/.test(t)) return;
  const s = t.replaceAll('\u2581', ' ');
  if (!/^[\x20-\x7e]+$/.test(s) || s.trim() === '') return;
  pieces.push(s);
  if (/^ [A-Za-z]{2,}$/.test(s)) wordPieces.push(s);
  if (/[^A-Za-z0-9 ]/.test(s)) punctPieces.push(s);
});
function synthSuffix(r) {
  const style = r();
  const n = 15 + Math.floor(r() * 11);
  const bang = r() < 0.3 ? r() * 0.25 : 0;
  let out = '';
  for (let j = 0; j < n; j++) {
    const u = r();
    let t;
    if (u < bang) t = ' !';
    else if (style < 0.3) t = pieces[Math.floor(r() * pieces.length)];
    else if (style < 0.75) {
      const v = r();
      t =
        v < 0.65
          ? wordPieces[Math.floor(r() ** 2 * wordPieces.length)]
          : v < 0.85
            ? punctPieces[Math.floor(r() * punctPieces.length)]
            : pieces[Math.floor(r() * pieces.length)];
    } else
      t =
        r() < 0.6
          ? punctPieces[Math.floor(r() * punctPieces.length)]
          : pieces[Math.floor(r() * pieces.length)];
    out += t;
  }
  return out.trim();
}
// Prefixes: rows of a split (any label) of up to 2,000 characters, each with one suffix.
function synthRows(from, count, seed) {
  const r = rng(seed);
  const hosts = from.filter((x) => x.text.length <= 2000);
  const out = [];
  for (let i = 0; i < count; i++) {
    const h = hosts[Math.floor(r() * hosts.length)];
    out.push({ goal: h.text, suffix: synthSuffix(r) });
  }
  return out;
}
const SYNTH = 800;
const synthTrain = synthRows(train, SYNTH, 16);
const synthCheck = synthRows(tune, 400, 1016);

// Long-tail ordinary text the prompt rows have little of: other languages, from the translated
// compiler messages TypeScript ships (Apache-2.0; read from node_modules at training time, only
// n-gram counts of them are shipped). Every language's messages are halved by position: the even
// half goes into the character model and, quoted after or following benign train prompts, into
// the negative tails; the odd half only checks the fitted scorers.
const tsLangs = readdirSync('node_modules/typescript/lib', { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const foreign = { train: [], check: [], lmText: [] };
{
  const r = rng(61);
  const english = train.filter((x) => x.label === 'benign' && x.text.length <= 600);
  for (const lang of tsLangs) {
    const f = `node_modules/typescript/lib/${lang}/diagnosticMessages.generated.json`;
    const all = Object.values(JSON.parse(readFileSync(f, 'utf8'))).filter(
      (m) => typeof m === 'string' && m.split(' ').length >= 5 && !m.includes('{'),
    );
    data[f] = createHash('sha256').update(readFileSync(f)).digest('hex');
    for (const [half, into] of [
      [0, foreign.train],
      [1, foreign.check],
    ]) {
      const msgs = all.filter((_, i) => i % 2 === half);
      if (half === 0) foreign.lmText.push(msgs.join('\n'));
      for (let i = 0; i < 30; i++) {
        const m = msgs[Math.floor(r() * msgs.length)];
        const e = english[Math.floor(r() * english.length)].text;
        const q = r();
        into.push(
          q < 0.4
            ? `${e} "${m}"`
            : q < 0.7
              ? `${e}\n\n${m}`
              : `${m} ${msgs[Math.floor(r() * msgs.length)]}`,
        );
      }
    }
  }
}

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
for (const t of foreign.train)
  for (const w of windows(t).slice(-3)) {
    X.push(w);
    Y.push(0);
  }
let positives = 0;
// The vicuna prompt each window came from (-1 for the others), for the cross-validation below.
const gcgOfWindow = X.map(() => -1);
gcg.forEach((g, gi) => {
  const text = `${g.goal} ${g.suffix}`;
  for (const w of windows(text, g.goal.length + 1)) {
    X.push(w);
    Y.push(1);
    gcgOfWindow.push(gi);
    positives++;
  }
});
for (const g of synthTrain)
  for (const w of windows(`${g.goal} ${g.suffix}`, g.goal.length + 1).slice(-3)) {
    X.push(w);
    Y.push(1);
    positives++;
  }
// Class-balanced logistic regression on standardised features, full-batch gradient descent
// (deterministic).
function fitLogistic(X, Y, iterations, sampleWeight = X.map(() => 1)) {
  const nf = X[0].length;
  const positives = Y.reduce((a, y, i) => a + (y === 1 ? sampleWeight[i] : 0), 0);
  const total = sampleWeight.reduce((a, v) => a + v, 0);
  const mean = new Array(nf).fill(0);
  const scale = new Array(nf).fill(0);
  for (const x of X) for (let k = 0; k < nf; k++) mean[k] += x[k] / X.length;
  for (const x of X) for (let k = 0; k < nf; k++) scale[k] += (x[k] - mean[k]) ** 2 / X.length;
  for (let k = 0; k < nf; k++) scale[k] = Math.sqrt(scale[k]) || 1;
  const Z = X.map((x) => x.map((v, k) => (v - mean[k]) / scale[k]));
  const wPos = X.length / (2 * positives);
  const wNeg = X.length / (2 * (total - positives));
  const w = new Array(nf).fill(0);
  let b = 0;
  for (let it = 0; it < iterations; it++) {
    const g = new Array(nf).fill(0);
    let gb = 0;
    for (let i = 0; i < Z.length; i++) {
      let z = b;
      for (let k = 0; k < nf; k++) z += w[k] * Z[i][k];
      const p = 1 / (1 + Math.exp(-z));
      const e = (p - Y[i]) * (Y[i] === 1 ? wPos : wNeg) * sampleWeight[i];
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
  format: 'torchward-guard-suffix/3',
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
    [...train.map((r) => r.text.slice(0, 20000)), ...foreign.lmText],
    LM_ORDER,
    LM_MIN_COUNT,
  ),
  provenance: {},
};
// Threshold: at most 0.2% of the benign train and tune rows (their best window) reach it.
const benign = [...train, ...tune].filter((r) => r.label === 'benign');
const allowed = Math.floor(MAX_BENIGN * benign.length);
function windowThreshold(m) {
  const best = benign.map((r) => bestSuffixWindow(m, r.text)?.score ?? 0).sort((a, b) => b - a);
  const top = best[allowed] ?? 0;
  return { threshold: round(top + (1 - top) * 0.1), top };
}
const { top } = windowThreshold(model);
model.threshold = windowThreshold(model).threshold;
const hitsWindow = (m, text) => (bestSuffixWindow(m, text)?.score ?? 0) >= m.threshold;
const windowHit = (text) => hitsWindow(model, text);

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
for (const t of foreign.train) {
  const x = tailFeatures(model, t)?.x;
  if (x !== undefined) tailNeg.push(x);
}
// The vicuna requests on their own (short, plain, with names) are ordinary text too; they also
// count for the tail threshold below.
const goalTails = gcg.map((g) => tailFeatures(model, g.goal)?.x).filter((x) => x !== undefined);
tailNeg.push(...goalTails);
const gcgTexts = gcg.map((g) => `${g.goal} ${g.suffix}`);
const synthPos = synthTrain
  .map((g) => tailFeatures(model, `${g.goal} ${g.suffix}`)?.x)
  .filter((x) => x !== undefined);
const tailPos = gcgTexts.map((t) => tailFeatures(model, t)?.x);
const benignWindowHit = benign.map((r) => windowHit(r.text));
const benignTail = benign.map((r) => tailFeatures(model, r.text)?.x);
// The tail threshold: above all but TAIL_ALLOWED of the benign train and tune tails the window
// scorer does not already report (the next best plus 10% of the remaining margin). One such row
// (a short question naming Indra Nooyi and PepsiCo) alone would otherwise set the threshold.
function tailThreshold(m, windowHits) {
  const scores = goalTails.map((x) => linearScore(m, x));
  benignTail.forEach((x, i) => {
    if (x !== undefined && !windowHits[i]) scores.push(linearScore(m, x));
  });
  scores.sort((a, b) => b - a);
  const t = scores[TAIL_ALLOWED] ?? 0;
  return { threshold: round(t + (1 - t) * 0.1), top: round(t) };
}
function fitTail(positives, windowHits = benignWindowHit) {
  const X = [...tailNeg, ...positives, ...synthPos];
  const Y = [...tailNeg.map(() => 0), ...positives.map(() => 1), ...synthPos.map(() => 1)];
  const sw = [
    ...tailNeg.map(() => 1),
    ...positives.map(() => synthPos.length / positives.length),
    ...synthPos.map(() => 1),
  ];
  const m = fitLogistic(X, Y, 2000, sw);
  return { ...m, ...tailThreshold(m, windowHits) };
}
// 5-fold cross-validated recall over the vicuna prompts, for the record: both scorers and both
// thresholds refitted without the fold's prompts.
let cvHits = 0;
for (let fold = 0; fold < 5; fold++) {
  const keep = gcgOfWindow.map((g) => g < 0 || g % 5 !== fold);
  const f = fitLogistic(
    X.filter((_, i) => keep[i]),
    Y.filter((_, i) => keep[i]),
    3000,
  );
  const wm = {
    ...model,
    weights: f.weights.map(round),
    bias: round(f.bias),
    mean: f.mean.map(round),
    scale: f.scale.map(round),
  };
  wm.threshold = windowThreshold(wm).threshold;
  const m = fitTail(
    tailPos.filter((x, i) => x !== undefined && i % 5 !== fold),
    benign.map((r) => hitsWindow(wm, r.text)),
  );
  gcgTexts.forEach((t, i) => {
    if (i % 5 !== fold) return;
    const x = tailPos[i];
    if (hitsWindow(wm, t) || (x !== undefined && linearScore(m, x) >= m.threshold)) cvHits++;
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
const synthRecall =
  synthCheck.filter((g) => {
    const t = `${g.goal} ${g.suffix}`;
    return windowHit(t) || tailHit(t);
  }).length / synthCheck.length;
const foreignReported = foreign.check.filter((t) => windowHit(t) || tailHit(t));
const tuneBenign = tune.filter((r) => r.label === 'benign');
const benignReported = benign.filter((r) => windowHit(r.text) || tailHit(r.text)).length;
model.provenance = {
  trainedBy: 'npm run train:guard-suffix (scripts/train-guard-suffix.mjs, src/guard/suffix.ts)',
  data,
  negatives: 'train split (src/guard/dataset.ts splitOf) of data/guard/*.jsonl, every label',
  positives: `${gcgPath}: vicuna-13b-v1.5 white-box GCG suffixes (JailbreakBench artifacts, MIT)`,
  threshold: `${allowed} of ${benign.length} benign train and tune rows above it: the next best window (${round(top)}) plus 10% of the remaining margin`,
  windows: { negative: X.length - positives, positive: positives },
  tailFeatures: TAIL_FEATURES,
  tailThreshold: `${TAIL_ALLOWED} benign train or tune row the window scorer does not report is above it: the next best benign tail (${tm.top}) plus 10% of the remaining margin`,
  ownText: `${ownFiles.length} files of src/**/*.ts (not src/guard/) and docs/*.md (not guard*), SHA-256 ${ownHash.digest('hex')}: tails every 97 words as negatives`,
  tails: { negative: tailNeg.length, positive: tailPos.filter((x) => x !== undefined).length },
  languageModel: `character ${LM_ORDER}-grams (Witten-Bell interpolation) of the train split of data/guard/*.jsonl (first 20,000 characters of each row), grams of 3+ characters seen at least ${LM_MIN_COUNT} times`,
  benignReported: `${benignReported} of ${benign.length} benign train and tune rows`,
  fitRecall: round(fitRecall),
  cvRecall: `${cvHits} of ${gcg.length} vicuna prompts (5-fold cross-validation, both scorers and thresholds refitted per fold)`,
  synthetic: `${synthTrain.length} GCG-style suffixes of LLaMA vocabulary tokens (llama-tokenizer-js ${JSON.parse(readFileSync('node_modules/llama-tokenizer-js/package.json', 'utf8')).version}, seeded) after train rows: positive windows and tails`,
  syntheticCheckRecall: round(synthRecall),
  foreignText: `TypeScript's translated compiler messages (${tsLangs.filter((_, i) => i % 2 === 0).join(', ')}), quoted after or following benign train prompts: ${foreign.train.length} negative tails`,
  foreignCheckReported: `${foreignReported.length} of ${foreign.check.length} (${tsLangs.filter((_, i) => i % 2 === 1).join(', ')})`,
};
writeFileSync('src/guard/suffix-model.json', `${JSON.stringify(model)}\n`);
console.error(
  `train:guard-suffix: weights ${JSON.stringify(model.weights)} bias ${model.bias}; ` +
    `benign best window ${round(top)}, threshold ${model.threshold}; tail threshold ${model.tail.threshold}; ` +
    `vicuna GCG recall ${round(fitRecall)} (cross-validated ${cvHits}/${gcg.length}); benign reported ${benignReported}/${benign.length}; ` +
    `synthetic check recall ${round(synthRecall)}; foreign check reported ${foreignReported.length}/${foreign.check.length}; ` +
    `${vocabulary.length} words`,
);
