// Code-audit benchmark: generates 10,000 realistic Python files (training scripts, model
// definitions, data pipelines, evaluation and serving code; about one in eight with a risky call)
// into bench/out/code-repo/, then audits them in fresh processes through the compiled dist/:
//   one-cpu  `auditCodeFiles` alone, the process pinned to one CPU with `taskset -c 0` (V8's
//            compiler and GC helper threads share that CPU: the "on one core")
//   all-cpus the same call, unpinned
//   cli      the whole `torchward scan ROOT --format json` command, pinned
//   bandit   the peer: Debian's `bandit -r ROOT -t B301,B506 -f json`, pinned
//   one-cpu-full  one-cpu with the prefilter off (every file parsed): the peer of one-cpu
//   mix-one-cpu   one-cpu over a second, clearly separate corpus (bench/out/code-mix/): the same
//            templates, but only MIX_SHARE of the files call an audited API, the share measured
//            on real repositories (see docs/benchmarks.md); the rest load safetensors or use
//            yaml.safe_load, as the templates' other files do
//   differential  the first TORCHWARD_BENCH_DIFF_FILES files (default 2,000) of each corpus
//            audited with and without the prefilter and slicer, and with and without the slicer
//            alone (every finding, syntax errors included): the run fails on any difference
// Each prints one JSON line: {"case","files","bytes","seconds","filesPerSecond","cpuSeconds",
// "loadAverage","findings","parsedFiles","peakRssMiB"}.
// Usage: npm run build && node bench/code.mjs [count]
//        TORCHWARD_BENCH_GENERATE_ONLY=1 node bench/code.mjs [count]   (write the corpora only)
//        node bench/code.mjs --audit ROOT [--no-prefilter] [--no-slice]   (the child; ROOT is read
//        recursively, so a local checkout of a real repository can be measured too)
//        node bench/code.mjs --differential ROOT [files]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

if (process.argv[2] === '--audit') {
  await auditChild(
    process.argv[3] ?? '',
    !process.argv.includes('--no-prefilter'),
    !process.argv.includes('--no-slice'),
  );
  process.exit(0);
}
if (process.argv[2] === '--differential') {
  process.exit(await differentialChild(process.argv[3] ?? '', Number(process.argv[4] ?? '2000')));
}

function pythonFiles(root) {
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.py'))
    .sort()
    .map((name) => ({ path: join(root, name), uri: name, kind: 'python' }));
}

async function auditChild(root, prefilter, slice) {
  const { DEFAULT_LIMITS } = await import('../dist/core/limits.js');
  const { auditCodeFiles } = await import('../dist/engine/code-audit.js');
  const { loadPythonParser } = await import('../dist/formats/python/parser.js');
  const { mayFireOnPython } = await import('../dist/rules/code/index.js');
  // Loading the grammar (WebAssembly compilation) is start-up, as module loading is.
  await loadPythonParser();
  const files = pythonFiles(root);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const { results } = await auditCodeFiles(files, {
    limits: DEFAULT_LIMITS,
    config: {},
    repoRoot: root,
    prefilter,
    slice: prefilter && slice,
  });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    JSON.stringify({
      files: files.length,
      seconds: Number(seconds.toFixed(3)),
      filesPerSecond: Math.round(files.length / seconds),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
      loadAverage: Number(loadavg()[0].toFixed(1)),
      findings: results.reduce((n, r) => n + r.findings.length, 0),
      // Counted after the timing: the files the prefilter lets through to the parser.
      parsedFiles: prefilter
        ? files.filter((f) => mayFireOnPython(readFileSync(f.path, 'utf8'))).length
        : files.length,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

// Every finding (but code/parse-error's syntax one, which needs a parse) and every content-scan
// verdict must be the same with and without the prefilter and the slicer; and every finding,
// code/parse-error's syntax one included, the same with and without the slicer alone.
async function differentialChild(root, max) {
  const { DEFAULT_LIMITS } = await import('../dist/core/limits.js');
  const { auditCodeFiles } = await import('../dist/engine/code-audit.js');
  const files = pythonFiles(root).slice(0, max);
  const options = { limits: DEFAULT_LIMITS, config: {}, repoRoot: root };
  const show = (r, syntax) =>
    JSON.stringify([
      r.contentScan,
      r.findings
        .filter((f) => syntax || !(f.ruleId === 'code/parse-error' && f.messageId === 'syntax'))
        .map((f) => [f.ruleId, f.messageId, f.severity, f.primary.span, f.message]),
    ]);
  const on = (await auditCodeFiles(files, { ...options, prefilter: true })).results;
  const off = (await auditCodeFiles(files, { ...options, prefilter: false })).results;
  const whole = (await auditCodeFiles(files, { ...options, prefilter: true, slice: false }))
    .results;
  const differing = on.filter((r, i) => show(r, false) !== show(off[i], false)).map((r) => r.uri);
  const sliceDiffering = on
    .filter((r, i) => show(r, true) !== show(whole[i], true))
    .map((r) => r.uri);
  const count = (rs) => rs.reduce((n, r) => n + r.findings.length, 0);
  console.log(
    JSON.stringify({
      files: files.length,
      findings: count(on),
      findingsUnfiltered: count(off),
      differing: differing.length,
      ...(differing.length > 0 ? { firstDiffering: differing.slice(0, 5) } : {}),
      sliceDiffering: sliceDiffering.length,
      ...(sliceDiffering.length > 0 ? { firstSliceDiffering: sliceDiffering.slice(0, 5) } : {}),
    }),
  );
  return differing.length === 0 && sliceDiffering.length === 0 ? 0 : 1;
}

const COUNT = Number(process.argv[2] ?? '10000');
const ROOT = join('bench', 'out', 'code-repo');
const MIX_ROOT = join('bench', 'out', 'code-mix');

// Deterministic PRNG (mulberry32) so every run audits the same bytes.
let seed = 0xc0de;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const sha = () =>
  Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
const name = () =>
  pick(['encoder', 'decoder', 'backbone', 'head', 'block', 'proj', 'mlp', 'attn', 'stem', 'neck']);

const HUB = ['bert-base/uncased', 'org/llama-mini', 'team/vit-small', 'lab/whisper-tiny'];

function layer(i) {
  return pick([
    `        self.${name()}${i} = nn.Linear(${int(16, 1024)}, ${int(16, 1024)})`,
    `        self.${name()}${i} = nn.Conv2d(${int(3, 256)}, ${int(8, 512)}, kernel_size=${pick([1, 3, 5])}, padding=${pick([0, 1, 2])})`,
    `        self.${name()}${i} = nn.LayerNorm(${int(64, 4096)})`,
    `        self.${name()}${i} = nn.Dropout(p=${random().toFixed(2)})`,
    `        self.${name()}${i} = nn.MultiheadAttention(${int(64, 1024)}, num_heads=${pick([4, 8, 16])}, batch_first=True)`,
  ]);
}

function modelClass(k) {
  const layers = Array.from({ length: int(3, 10) }, (_, i) => layer(i)).join('\n');
  return `class Model${k}(nn.Module):
    """A ${pick(['residual', 'transformer', 'convolutional', 'recurrent'])} model for ${pick(['classification', 'regression', 'segmentation', 'retrieval'])}."""

    def __init__(self, hidden=${int(64, 2048)}, dropout=${random().toFixed(2)}):
        super().__init__()
${layers}
        self.act = nn.${pick(['GELU', 'ReLU', 'SiLU'])}()

    def forward(self, x):
        for module in self.children():
            if isinstance(module, (nn.Linear, nn.LayerNorm)):
                x = self.act(module(x)) if x.shape[-1] == module.normalized_shape[0] else x
        return x
`;
}

function trainingLoop() {
  return `def train_one_epoch(model, loader, optimizer, scaler, device, epoch, log_every=${int(10, 200)}):
    model.train()
    total = 0.0
    for step, (inputs, targets) in enumerate(loader):
        inputs = inputs.to(device, non_blocking=True)
        targets = targets.to(device, non_blocking=True)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
            loss = F.cross_entropy(model(inputs), targets, label_smoothing=${random().toFixed(2)})
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=${int(1, 5)}.0)
        scaler.step(optimizer)
        scaler.update()
        total += loss.item()
        if step % log_every == 0:
            logger.info("epoch %d step %d loss %.4f", epoch, step, loss.item())
    return total / max(1, len(loader))


@torch.no_grad()
def evaluate(model, loader, device):
    model.eval()
    correct = 0
    seen = 0
    for inputs, targets in loader:
        logits = model(inputs.to(device))
        correct += (logits.argmax(dim=-1) == targets.to(device)).sum().item()
        seen += targets.numel()
    return correct / max(1, seen)
`;
}

// The share of Python files in real ML repositories that name an API a code/* rule audits (so the
// prefilter sends them to the parser): 529 of 1,728 files (30.6%) in pytorch/examples,
// huggingface/accelerate, huggingface/peft, pytorch/torchtune and facebookresearch/detectron2,
// measured 2026-12-07 (docs/benchmarks.md). The template corpus has 57%.
const MIX_SHARE = 0.306;
// Which corpus file() generates: 'templates' (the original corpus, unchanged) or 'mix'.
let corpus = 'templates';

function loading() {
  if (corpus === 'mix') return mixLoading();
  const risky = random() < 0.125;
  if (!risky) {
    return pick([
      `    state = load_file(os.path.join(args.out, "model.safetensors"))\n    model.load_state_dict(state)`,
      `    state = torch.load(args.resume, map_location="cpu", weights_only=True)\n    model.load_state_dict(state["model"])`,
      `    model = AutoModel.from_pretrained("${pick(HUB)}", revision="${sha()}")`,
      `    with open(args.config) as f:\n        cfg = yaml.safe_load(f)`,
    ]);
  }
  return pick([
    `    state = torch.load(args.resume, map_location="cpu")\n    model.load_state_dict(state["model"])`,
    `    with open("cache.pkl", "rb") as f:\n        cache = pickle.load(f)`,
    `    model = AutoModel.from_pretrained("${pick(HUB)}", trust_remote_code=True)`,
    `    os.environ["MASTER_ADDR"] = "0.0.0.0"\n    dist.init_process_group("nccl")`,
    `    with open(args.config) as f:\n        cfg = yaml.load(f)`,
  ]);
}

// The mix: MIX_SHARE of the files take one of the template's audited variants (torch.load,
// from_pretrained, and the risky ones at the template's rate among them), the rest one of its
// two variants no rule audits (safetensors load_file, yaml.safe_load).
function mixLoading() {
  if (random() >= MIX_SHARE) {
    return pick([
      `    state = load_file(os.path.join(args.out, "model.safetensors"))\n    model.load_state_dict(state)`,
      `    with open(args.config) as f:\n        cfg = yaml.safe_load(f)`,
    ]);
  }
  if (random() < 0.125 / 0.571) {
    return pick([
      `    state = torch.load(args.resume, map_location="cpu")\n    model.load_state_dict(state["model"])`,
      `    with open("cache.pkl", "rb") as f:\n        cache = pickle.load(f)`,
      `    model = AutoModel.from_pretrained("${pick(HUB)}", trust_remote_code=True)`,
      `    os.environ["MASTER_ADDR"] = "0.0.0.0"\n    dist.init_process_group("nccl")`,
      `    with open(args.config) as f:\n        cfg = yaml.load(f)`,
    ]);
  }
  return pick([
    `    state = torch.load(args.resume, map_location="cpu", weights_only=True)\n    model.load_state_dict(state["model"])`,
    `    model = AutoModel.from_pretrained("${pick(HUB)}", revision="${sha()}")`,
  ]);
}

function main() {
  return `def parse_args():
    parser = argparse.ArgumentParser(description="${pick(['Train', 'Fine-tune', 'Distil', 'Pretrain'])} a model")
    parser.add_argument("--epochs", type=int, default=${int(1, 300)})
    parser.add_argument("--lr", type=float, default=${(random() / 100).toFixed(5)})
    parser.add_argument("--batch-size", type=int, default=${pick([16, 32, 64, 128, 256])})
    parser.add_argument("--resume", type=str, default="")
    parser.add_argument("--config", type=str, default="config.yaml")
    parser.add_argument("--out", type=str, default="${pick(['runs', 'checkpoints', 'outputs'])}")
    return parser.parse_args()


def main():
    args = parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = Model0().to(device)
${loading()}
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=${(random() / 10).toFixed(3)})
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.epochs * 100)
    scaler = torch.cuda.amp.GradScaler()
    train_loader = DataLoader(TensorDataset(torch.randn(512, 32), torch.randint(0, 10, (512,))), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.randn(128, 32), torch.randint(0, 10, (128,))), batch_size=args.batch_size)
    best = 0.0
    for epoch in range(args.epochs):
        loss = train_one_epoch(model, train_loader, optimizer, scaler, device, epoch)
        scheduler.step()
        acc = evaluate(model, val_loader, device)
        logger.info("epoch %d: loss %.4f acc %.4f", epoch, loss, acc)
        if acc > best:
            best = acc
            os.makedirs(args.out, exist_ok=True)
            save_file(model.state_dict(), os.path.join(args.out, "model.safetensors"))


if __name__ == "__main__":
    main()
`;
}

const HEADER = `"""Generated benchmark module: a realistic PyTorch training script."""
import argparse
import logging
import os
import pickle

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
import yaml
from safetensors.torch import load_file, save_file
from torch.utils.data import DataLoader, TensorDataset
from transformers import AutoModel

logger = logging.getLogger(__name__)
`;

function file() {
  const classes = Array.from({ length: int(1, 3) }, (_, k) => modelClass(k)).join('\n\n');
  return `${HEADER}\n\n${classes}\n\n${trainingLoop()}\n\n${main()}`;
}

function generate(root) {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < COUNT; i++) {
    const text = file();
    bytes += Buffer.byteLength(text);
    writeFileSync(join(root, `mod_${String(i).padStart(5, '0')}.py`), text);
  }
  spawnSync('sync');
  return bytes;
}

function run(label, command, args, parse) {
  const start = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0 && r.status !== 1) {
    console.error(`${label} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
    return undefined;
  }
  return parse(r.stdout, seconds);
}

const bytes = generate(ROOT);
// The mix comes second, from its own seed: the template corpus stays byte for byte the same.
corpus = 'mix';
seed = 0x5eed;
const mixBytes = generate(MIX_ROOT);
// `TORCHWARD_BENCH_GENERATE_ONLY=1`: write both corpora and stop (bench/code-parse.mjs uses it).
if (process.env.TORCHWARD_BENCH_GENERATE_ONLY === '1') process.exit(0);
const taskset = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0'] : undefined;
const child = ['bench/code.mjs', '--audit', ROOT];
const out = (c, data) => console.log(JSON.stringify({ case: c, files: COUNT, bytes, ...data }));
const audit = (stdout) => JSON.parse(stdout.trim().split('\n').pop());
if (taskset !== undefined) {
  const r = run('one-cpu', taskset[0], [...taskset.slice(1), process.execPath, ...child], audit);
  if (r !== undefined) out('one-cpu', r);
  const full = [...taskset.slice(1), process.execPath, ...child, '--no-prefilter'];
  const f = run('one-cpu-full', taskset[0], full, audit);
  if (f !== undefined) out('one-cpu-full', f);
  const mix = [...taskset.slice(1), process.execPath, 'bench/code.mjs', '--audit', MIX_ROOT];
  const m = run('mix-one-cpu', taskset[0], mix, audit);
  if (m !== undefined) console.log(JSON.stringify({ case: 'mix-one-cpu', bytes: mixBytes, ...m }));
}
const all = run('all-cpus', process.execPath, child, audit);
if (all !== undefined) out('all-cpus', all);
// The whole CLI, through /usr/bin/time for the peak RSS of the process.
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const measured = (label, argv, files = COUNT) => {
  const full = [
    ...(taskset ?? []),
    ...(timeBin === undefined ? [] : [timeBin, '-f', '%M %U %S']),
    ...argv,
  ];
  const start = performance.now();
  const r = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - start) / 1000;
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [rssKiB, user, sys] = last.split(' ').map(Number);
  out(label, {
    files,
    seconds: Number(seconds.toFixed(3)),
    filesPerSecond: Math.round(files / seconds),
    cpuSeconds: Number(((user ?? 0) + (sys ?? 0)).toFixed(3)),
    loadAverage: Number(loadavg()[0].toFixed(1)),
    status: r.status,
    outputBytes: r.stdout.length,
    peakRssMiB: Math.round((rssKiB ?? 0) / 1024),
  });
};
measured('cli', [process.execPath, 'dist/cli/main.js', 'scan', ROOT, '--format', 'json']);
// Bandit is about ten times slower: it reads the first TORCHWARD_BENCH_PEER_FILES files (default
// 1,000) so the run stays within minutes; its files/s is over those files.
const PEER_FILES = Math.min(COUNT, Number(process.env.TORCHWARD_BENCH_PEER_FILES ?? '1000'));
if (existsSync('/usr/bin/bandit')) {
  const names = readdirSync(ROOT)
    .sort()
    .slice(0, PEER_FILES)
    .map((n) => join(ROOT, n));
  measured(
    'bandit',
    ['/usr/bin/bandit', '-q', '-t', 'B301,B506', '-f', 'json', ...names],
    PEER_FILES,
  );
}
const DIFF_FILES = process.env.TORCHWARD_BENCH_DIFF_FILES ?? '2000';
let differentialFailed = false;
for (const [label, root] of [
  ['differential', ROOT],
  ['mix-differential', MIX_ROOT],
]) {
  const r = spawnSync(process.execPath, ['bench/code.mjs', '--differential', root, DIFF_FILES], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  console.log(JSON.stringify({ case: label, ...JSON.parse(r.stdout.trim() || '{}') }));
  if (r.status !== 0) {
    console.error(
      `${label}: the prefilter changed findings (${r.status}) ${r.stderr.slice(0, 2000)}`,
    );
    differentialFailed = true;
  }
}
if (process.env.TORCHWARD_BENCH_KEEP !== '1') {
  rmSync(ROOT, { recursive: true, force: true });
  rmSync(MIX_ROOT, { recursive: true, force: true });
}
if (differentialFailed) process.exit(1);
