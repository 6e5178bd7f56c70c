// Converter benchmark (issues 3 and 22): `node bench/convert.mjs` (after `npm run build`), or
// `npm run bench -- convert`. Inputs, written once by real torch 1.13 (/usr/bin/python3) under
// bench/out/convert (gitignored, deleted afterwards unless TORCHWARD_BENCH_KEEP=1):
// - contig-zip, contig-legacy: 1 GiB of contiguous float32 tensors (16 × 64 MiB), zip and legacy;
// - views: 1 GiB of storages saved only through views: a transposed 8192 × 8192 float32 (256 MiB),
//   stepped rows and columns, row and column slices, a bfloat16 permute(0, 2, 1, 3);
// - t100k-legacy: 100,000 tensors of 4 floats, each on its own storage (legacy format: a zip of
//   100,000 storages has 100,004 members, over the scanner's default maxEntries);
// - t100k-shared: 100,000 tensors of 4 floats, views of 1,000 storages (torch zip).
// The 1 GiB inputs are converted by `torchward convert` and copied by `cp` on the same disk, each
// with a warm page cache, alternating for TORCHWARD_BENCH_RUNS rounds (default 7), each run
// starting from the same state (both outputs deleted, then a `sync`, untimed) so that neither
// pays for the other's writeback. Ratios are taken of the medians and of the minimums; `stalls`
// counts the runs over 1.5 × that program's own minimum. Wall time, user and system CPU time and
// peak RSS come from /usr/bin/time -v; the 1-minute load average is printed before and after
// (on a shared machine, compare CPU times; wall ratios need a quiet one).
// TORCHWARD_BENCH_ONLY=views,t100k-shared (comma-separated input names, copyInPlace or floor) runs a
// part of the bench, and writes only the inputs that part reads.
//
// Free page reporting. A VM whose balloon reports free pages to the host (Linux's page_reporting)
// gets those pages back only through a host fault on first touch. On the bench VM freed pages are
// reported within ~0.15 s, so a 2 GiB write takes 0.55 s or 2-5 s depending on whether the kernel
// hands out pages freed a moment ago: cp, starting in a millisecond, often catches them; any
// program that takes 0.1 s to start rarely does. With TORCHWARD_BENCH_PAUSE_PAGE_REPORTING=1 (root;
// it writes /sys/module/page_reporting/parameters/page_reporting_order, and restores it on exit),
// reporting is paused for the run, free memory stays backed as on a machine without a balloon,
// and the target is judged on the medians. Otherwise the medians mostly count which program drew
// more host faults, and the target is judged on the minimums (each program's own cost).
// A second part times the copy loop alone (the 1 GiB zip), overwriting an existing file in place
// so that no page is newly allocated (the noisiest cost on this VM): 1 MiB reads and 256 KiB
// writes through a plain Uint8Array against the page-aligned buffers convert uses (src/loader/aligned-memory.ts).
// A third part times filling 2 GiB of fresh memory, the VM's cost for new pages.
// convert runs as the installed bin does (dist/bundle/torchward.js; TORCHWARD_BENCH_CLI=dist/cli/main.js
// runs tsc's unbundled output instead, as this bench did before 2026-12-08).
// Prints one JSON line.
// Targets: convert ≤ 1.3 × cp's time on the contiguous inputs, ≤ 2 × on views, peak RSS < 200 MB
// on every input (the 100,000-tensor ones included).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { alignedArena, alignedBuffer } from '../dist/loader/aligned-memory.js';
import { reorderKernels } from '../dist/loader/reorder-kernels.js';

const OUT = 'bench/out/convert';
// The installed bin (the one-file bundle with its code cache), as users run it; before 2026-12-08
// 03:45 UTC this bench ran tsc's unbundled dist/cli/main.js (about 40-80 ms more start-up).
const CLI = process.env.TORCHWARD_BENCH_CLI ?? 'dist/bundle/torchward.js';
const RUNS = Number(process.env.TORCHWARD_BENCH_RUNS ?? 9);
mkdirSync(OUT, { recursive: true });

const GEN = String.raw`
import os, sys, torch
out = sys.argv[1]
names = set(sys.argv[2:])  # the inputs to write (the missing ones the run wants)
def save(name, obj, **kw):
    path = os.path.join(out, name + '.pt')
    if not os.path.exists(path):
        torch.save(obj, path, **kw)
torch.manual_seed(0)
if names & {'contig-zip', 'contig-legacy'}:
    sd = {f'layers.{i}.weight': torch.empty(4096, 4096).uniform_() for i in range(16)}
    sd['step'] = 1000
    save('contig-zip', sd)
    save('contig-legacy', sd, _use_new_zipfile_serialization=False)
    del sd
if 'views' in names:
    a = torch.empty(8192, 8192).uniform_()
    b = torch.empty(8192, 8192).uniform_()
    c = torch.empty(16384, 4096).uniform_()
    d = torch.empty(64, 2048, 16, 64, dtype=torch.bfloat16).uniform_()
    save('views', {'a.t': a.t(), 'b.even': b[::2], 'b.odd': b[1::2], 'b.cols': b[:, ::2],
                   'c.top': c[:8192], 'c.bottom': c[8192:], 'c.left': c[:, :2048],
                   'd.heads': d.permute(0, 2, 1, 3)})
    del a, b, c, d
if 't100k-legacy' in names:
    save('t100k-legacy', {f'model.layers.{i // 10}.block.{i % 10}.weight': torch.full((4,), float(i))
                          for i in range(100000)}, _use_new_zipfile_serialization=False)
if 't100k-shared' in names:
    shared = {}
    for s in range(1000):
        flat = torch.full((400,), float(s))
        for j in range(100):
            shared[f'model.layers.{s}.block.{j}.weight'] = flat[j * 4:(j + 1) * 4]
    save('t100k-shared', shared)
`;
const INPUTS = ['contig-zip', 'contig-legacy', 'views', 't100k-legacy', 't100k-shared'];

if (!existsSync(CLI)) {
  console.error(`bench convert: build first (${CLI} missing)`);
  process.exit(1);
}
const only = process.env.TORCHWARD_BENCH_ONLY?.split(',');
const want = (name) => only === undefined || only.includes(name);
// Only the inputs this run uses are written (the 100,000-tensor ones alone take seconds; the
// 1 GiB ones a minute and 3 GiB of disk).
const missing = INPUTS.filter(
  (name) =>
    (want(name) || (name === 'contig-zip' && (want('copyInPlace') || want('floor')))) &&
    !existsSync(`${OUT}/${name}.pt`),
);
if (missing.length > 0) {
  console.error(`bench convert: generating ${missing.join(', ')} with torch (one-time, ~1 minute)`);
  execFileSync('/usr/bin/python3', ['-c', GEN, OUT, ...missing], { stdio: 'inherit' });
}

/** Runs argv under /usr/bin/time -v; returns wall and CPU seconds and peak RSS in MB. */
function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-v', ...argv], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(
    r.stderr,
  );
  const seconds =
    wall === null ? NaN : Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const cpu = (label) =>
    Number(new RegExp(`${label} time \\(seconds\\): ([\\d.]+)`).exec(r.stderr)?.[1]);
  return { seconds, user: cpu('User'), sys: cpu('System'), rssMB: rss / 1024 };
}

const REPORTING_ORDER = '/sys/module/page_reporting/parameters/page_reporting_order';

/** Pauses free page reporting when asked to; returns 'paused', 'on' or 'absent'. */
function pageReporting() {
  if (!existsSync(REPORTING_ORDER)) return 'absent';
  if (process.env.TORCHWARD_BENCH_PAUSE_PAGE_REPORTING !== '1') return 'on';
  const saved = readFileSync(REPORTING_ORDER, 'utf8').trim();
  // Orders above the buddy allocator's largest (10) are never reported.
  try {
    writeFileSync(REPORTING_ORDER, '11');
  } catch (error) {
    console.error(`bench convert: cannot pause page reporting (${error.message}); run as root`);
    process.exit(1);
  }
  const restore = () => writeFileSync(REPORTING_ORDER, saved);
  process.on('exit', restore);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      restore();
      process.exit(130);
    });
  }
  // Touch free memory once, so that the pages reported before the pause are backed again.
  execFileSync(process.execPath, ['-e', 'new Uint8Array(2 ** 32 - 1).fill(1)']);
  return 'paused';
}

function stalls(values) {
  const least = Math.min(...values);
  return values.filter((v) => v > 1.5 * least).length;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function bench(name) {
  const input = `${OUT}/${name}.pt`;
  const copy = `${OUT}/${name}.copy`;
  const output = `${OUT}/${name}.safetensors`;
  spawnSync('sh', ['-c', `cat '${input}' > /dev/null`]); // warm the page cache for both contenders
  const cp = [];
  const dd = [];
  const convert = [];
  const cpCpu = [];
  const convertCpu = [];
  let rss = 0;
  let outBytes = 0;
  // Each run starts from the same state: neither output on disk, nothing dirty.
  const fresh = () => {
    rmSync(copy, { force: true });
    rmSync(output, { force: true });
    spawnSync('sync');
  };
  for (let i = 0; i < RUNS; i++) {
    fresh();
    const p = timed(['cp', input, copy]);
    cp.push(p.seconds);
    cpCpu.push(round(p.user + p.sys));
    fresh();
    const c = timed([process.execPath, CLI, 'convert', input, '-o', output]);
    convert.push(c.seconds);
    convertCpu.push([c.user, c.sys]);
    rss = Math.max(rss, c.rssMB);
    outBytes = statSync(output).size;
  }
  // dd: a plain user-space read/write copy with 1 MiB writes, the way a naive converter would
  // move bytes (cp copies inside the kernel with copy_file_range). Timed after the rounds above:
  // its write stalls would otherwise disturb the runs that follow it.
  for (let i = 0; i < RUNS; i++) {
    fresh();
    dd.push(timed(['dd', `if=${input}`, `of=${copy}`, 'bs=1M', 'status=none']).seconds);
  }
  fresh();
  return {
    inputBytes: statSync(input).size,
    outputBytes: outBytes,
    cpSeconds: cp,
    ddSeconds: dd,
    convertSeconds: convert,
    // CPU seconds (user + system) of cp, and [user, system] of convert: comparable under load.
    cpCpuSeconds: cpCpu,
    convertCpuSeconds: convertCpu,
    ratioOfMinimums: Number((Math.min(...convert) / Math.min(...cp)).toFixed(2)),
    ratioOfMedians: Number((median(convert) / median(cp)).toFixed(2)),
    stalls: { cp: stalls(cp), convert: stalls(convert), dd: stalls(dd) },
    ratioToDd: Number((median(convert) / median(dd)).toFixed(2)),
    peakRssMB: Math.round(rss),
  };
}

function round(x) {
  return Number(x.toFixed(2));
}

/** Many tensors: wall, CPU and peak RSS of convert, three runs (the output is small). */
function manyTensors(name) {
  const input = `${OUT}/${name}.pt`;
  const output = `${OUT}/${name}.safetensors`;
  const runs = [];
  for (let i = 0; i < 3; i++) {
    rmSync(output, { force: true });
    const c = timed([process.execPath, CLI, 'convert', input, '-o', output]);
    runs.push({ seconds: c.seconds, user: c.user, sys: c.sys, rssMB: Math.round(c.rssMB) });
  }
  rmSync(output, { force: true });
  return {
    inputBytes: statSync(input).size,
    runs,
    peakRssMB: Math.max(...runs.map((r) => r.rssMB)),
  };
}

/** Seconds to copy `input` over `target` in place through `buffer` (1 MiB reads, 256 KiB writes). */
function copyInPlace(input, target, buffer) {
  const from = openSync(input, 'r');
  const to = openSync(target, 'r+');
  const size = statSync(input).size;
  const start = process.hrtime.bigint();
  for (let pos = 0; pos < size;) {
    const n = readSync(from, buffer, 0, Math.min(buffer.byteLength, size - pos), pos);
    for (let done = 0; done < n;) {
      done += writeSync(to, buffer, done, Math.min(256 * 1024, n - done), pos + done);
    }
    pos += n;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(from);
  closeSync(to);
  return Number(seconds.toFixed(3));
}

function alignment(name) {
  const input = `${OUT}/${name}.pt`;
  const target = `${OUT}/${name}.inplace`;
  copyFileSync(input, target);
  const plain = [];
  const aligned = [];
  const plainBuffer = new Uint8Array(1024 * 1024);
  const alignedBuf = alignedBuffer(1024 * 1024);
  for (let i = 0; i < 5; i++) {
    plain.push(copyInPlace(input, target, plainBuffer));
    aligned.push(copyInPlace(input, target, alignedBuf));
  }
  rmSync(target);
  return { plainSeconds: plain, alignedSeconds: aligned };
}

// What the VM charges for memory it has not touched lately: a fresh process fills 2 GiB of new
// memory. Writing a 2 GiB file takes as many new page-cache pages, for cp and convert alike.
function freshMemory() {
  const fill = `const t = process.hrtime.bigint(); new Uint8Array(2 ** 31).fill(1);
console.log(Number(process.hrtime.bigint() - t) / 1e9);`;
  return Array.from({ length: 3 }, () =>
    Number(Number(execFileSync(process.execPath, ['-e', fill], { encoding: 'utf8' })).toFixed(2)),
  );
}

// The floor under convert's time on the 1 GiB inputs, each part measured alone beside cp:
// - startUp: the bin doing nothing (`--version`), start-up and exit;
// - userCopy: the bare copy loop convert runs for contiguous tensors (1 MiB reads on the thread
//   pool, 6 ahead, 256 KiB synchronous writes, page-aligned buffers) into a fresh file, in a fresh
//   `node` (its ~40 ms start-up included): what any converter pays that moves the bytes through
//   user space (cp copies inside the kernel, one copy fewer);
// - transpose: an 8192 × 8192 float32 transpose (256 MiB, the views input's `a.t`) in memory,
//   through the WebAssembly kernel convert uses and through a plain 64 × 64 tiled JavaScript loop.
const USER_COPY = String.raw`
const { openSync, closeSync, fstatSync, writeSync } = require('node:fs');
const { open } = require('node:fs/promises');
const [input, output] = process.argv.slice(1);
(async () => {
  const { alignedBuffers } = await import(process.env.ALIGNED);
  const h = await open(input, 'r');
  const out = openSync(output, 'wx');
  const size = (await h.stat()).size;
  const free = alignedBuffers(6, 1 << 20);
  const pending = [];
  const writeOldest = async () => {
    const { buffer, n, at } = pending.shift();
    for (let done = 0; done < n; ) done += writeSync(out, buffer, done, Math.min(1 << 18, n - done), at + done);
    free.push(buffer);
  };
  for (let at = 0; at < size; at += 1 << 20) {
    if (pending.length >= 6) { await pending[0].read; await writeOldest(); }
    const buffer = free.pop();
    const n = Math.min(1 << 20, size - at);
    pending.push({ buffer, n, at, read: h.read(buffer, 0, n, at) });
  }
  while (pending.length > 0) { await pending[0].read; await writeOldest(); }
  closeSync(out);
  await h.close();
})();
`;

function floor(name) {
  const input = `${OUT}/${name}.pt`;
  const copy = `${OUT}/${name}.copy`;
  const env = {
    ...process.env,
    ALIGNED: new URL('../dist/loader/aligned-memory.js', import.meta.url).href,
  };
  spawnSync('sh', ['-c', `cat '${input}' > /dev/null`]);
  const cp = [];
  const userCopy = [];
  const startUp = [];
  for (let i = 0; i < RUNS; i++) {
    for (const [list, argv] of [
      [cp, ['cp', input, copy]],
      [userCopy, [process.execPath, '-e', USER_COPY, input, copy]],
    ]) {
      rmSync(copy, { force: true });
      spawnSync('sync');
      const t = timedEnv(argv, env);
      list.push(round(t.seconds));
    }
    startUp.push(round(timed([process.execPath, CLI, '--version']).seconds));
  }
  rmSync(copy, { force: true });
  return { cpSeconds: cp, userCopySeconds: userCopy, startUpSeconds: startUp, ...transposeFloor() };
}

function timedEnv(argv, env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${argv[0]} failed`);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function transposeFloor() {
  const n = 8192;
  const bytes = n * n * 4;
  const { memory, buffers } = alignedArena(2, bytes);
  const [a, b] = buffers;
  const src = new Uint32Array(a.buffer, a.byteOffset, n * n);
  const dst = new Uint32Array(b.buffer, b.byteOffset, n * n);
  for (let i = 0; i < src.length; i++) src[i] = i;
  dst.fill(1); // both touched before timing: page faults are not the transpose's cost
  const kernels = memory === undefined ? undefined : reorderKernels(memory);
  const wasm = [];
  const js = [];
  for (let r = 0; r < 3; r++) {
    if (kernels !== undefined) {
      const t = process.hrtime.bigint();
      kernels.transpose(n, n * 4, n, n * 4, a.byteOffset, b.byteOffset);
      wasm.push(round(Number(process.hrtime.bigint() - t) / 1e9));
    }
    const t = process.hrtime.bigint();
    jsTranspose(src, dst, n);
    js.push(round(Number(process.hrtime.bigint() - t) / 1e9));
  }
  return { transpose256MiBWasmSeconds: wasm, transpose256MiBJsSeconds: js };
}

/** dst = transpose(src), n × n words, 64 × 64 tiles, output written sequentially. */
function jsTranspose(src, dst, n) {
  for (let j0 = 0; j0 < n; j0 += 64) {
    for (let i0 = 0; i0 < n; i0 += 64) {
      for (let j = j0; j < j0 + 64; j++) {
        let s = i0 * n + j;
        let d = j * n + i0;
        for (let i = i0; i < i0 + 64; i++) {
          dst[d++] = src[s];
          s += n;
        }
      }
    }
  }
}

// Other processes on the machine move both timings: the 1-minute load average before and after.
const loadBefore = Number(loadavg()[0].toFixed(2));
const reporting = pageReporting();
const result = { bench: 'convert', pageReporting: reporting };
const ratios = {};
for (const [name, target] of [
  ['contig-zip', 1.3],
  ['contig-legacy', 1.3],
  ['views', 2],
]) {
  if (!want(name)) continue;
  result[name] = bench(name);
  ratios[name] = { target, ...pick(result[name]) };
}
for (const name of ['t100k-legacy', 't100k-shared']) {
  if (want(name)) result[name] = manyTensors(name);
}
if (want('floor')) result.floor = floor('contig-zip');
if (want('copyInPlace')) {
  result.copyInPlace = alignment('contig-zip');
  result.fill2GiBSeconds = freshMemory();
}
result.loadAverage = [loadBefore, Number(loadavg()[0].toFixed(2))];
const judged = reporting === 'on' ? 'ratioOfMinimums' : 'ratioOfMedians';
result.judgedOn = judged;
const rssOk = Object.values(result).every(
  (r) => typeof r !== 'object' || !('peakRssMB' in r) || r.peakRssMB < 200,
);
result.ok = rssOk && Object.values(ratios).every((r) => r[judged] <= r.target);
result.ratios = ratios;

function pick(r) {
  return {
    ratioOfMedians: r.ratioOfMedians,
    ratioOfMinimums: r.ratioOfMinimums,
    peakRssMB: r.peakRssMB,
  };
}
console.log(JSON.stringify(result));
// The figures docs/benchmarks.md records, one line each, on stderr (stdout stays one JSON line).
for (const [name, r] of Object.entries(ratios)) {
  console.error(
    `convert/${name}: ${r[judged]}× cp (${judged}; target ≤ ${r.target}), peak RSS ${r.peakRssMB} MB`,
  );
}
if (result.floor !== undefined) {
  const f = result.floor;
  console.error(
    `convert/floor: cp ${f.cpSeconds.join(', ')} s; bare user-space copy ${f.userCopySeconds.join(', ')} s; ` +
      `bin start-up ${f.startUpSeconds.join(', ')} s; 256 MiB transpose wasm ${f.transpose256MiBWasmSeconds.join(', ')} s, ` +
      `JS ${f.transpose256MiBJsSeconds.join(', ')} s`,
  );
}
for (const name of ['t100k-legacy', 't100k-shared']) {
  if (result[name] !== undefined)
    console.error(`convert/${name}: peak RSS ${result[name].peakRssMB} MB (target < 200)`);
}
console.error(
  `convert: load average ${result.loadAverage.join(' -> ')}, page reporting ${reporting}`,
);
if (process.env.TORCHWARD_BENCH_KEEP !== '1') rmSync(OUT, { recursive: true, force: true });
