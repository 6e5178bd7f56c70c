// Where the CPU of `torchward scan` over 500 small checkpoints goes (issue 12 item 10): the
// profile table of docs/benchmarks.md ("Small files"). Run alone: `node bench/process-profile.mjs`
// after `npm run build` and `node bench/process.mjs` (which generates bench/out/process/small).
//  1. JavaScript, by job: `node --cpu-prof` on tsc's unbundled dist/cli/main.js (every function
//     then carries its module's path, which the bundle does not), the calling thread and each scan
//     worker thread profiled, TORCHWARD_PROFILE_RUNS runs (default 3). Each sample goes to the job
//     of the innermost frame that names one (the zip reader, the pickle VM, the rules …). The CPU
//     profiler only sees JavaScript threads and adds its own cost (it logs every compiled
//     function, so start-up looks dearer than it is): shares, not absolute times, are the figure.
//  2. The whole process, by kind of work: `perf record` (when perf is installed) of the bundled bin
//     with a warm code cache, as a user runs it; samples by symbol: TurboFan (V8's optimising
//     compiler, on background threads), garbage collection, parsing and compiling, code cache
//     deserialisation, JavaScript and V8 built-ins, the kernel (file system, page faults, thread
//     start), other native code (Node, libuv, allocators).
// TORCHWARD_PROFILE_DIST names another build to profile (default dist). Prints one JSON line per
// row.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const INPUT = 'bench/out/process/small';
const RUNS = Number(process.env.TORCHWARD_PROFILE_RUNS ?? '3');
// Another build to profile (a copy of dist/ from before a change, say); default dist.
const DIST = process.env.TORCHWARD_PROFILE_DIST ?? 'dist';
if (!existsSync(INPUT)) {
  console.error(`bench process-profile: no ${INPUT}; run node bench/process.mjs first`);
  process.exit(2);
}
const env = { ...process.env };
// Node parses this certificate bundle before any script runs; it is the environment's cost.
delete env.NODE_EXTRA_CA_CERTS;
const work = mkdtempSync(join(tmpdir(), 'torchward-profile-'));
process.on('exit', () => {
  rmSync(work, { recursive: true, force: true });
});

/**
 * Jobs by module path (first match wins), for frames of the profiled build (its path shown as
 * /dist/) and of Node's module loader and worker threads.
 */
const BY_URL = [
  [/\/dist\/engine\/walk\.js$/, 'directory walk'],
  [
    /\/dist\/engine\/(scan-pool|scan-worker)\.js$|^node:internal\/worker/,
    'thread start and messages',
  ],
  [/\/dist\/engine\/scan-file\.js$/, 'file open, stat, read'],
  [/\/dist\/formats\/zip\//, 'zip directory and members'],
  [/\/dist\/formats\/pickle\//, 'pickle VM'],
  [/\/dist\/(rules|policy)\//, 'rules and allowlist'],
  [
    /\/dist\/(engine\/(scan-unit|scan-source|handlers\/)|formats\/)/,
    'format dispatch and handlers',
  ],
  [/\/dist\/(core\/finding|engine\/(summary|result))\.js$/, 'findings and report building'],
  [/\/dist\/engine\//, 'scan planning and report assembly'],
  [/\/dist\/cli\//, 'CLI, JSON rendering and output'],
  [/\/dist\/core\//, 'core helpers'],
  [/\/dist\//, 'other torchward modules'],
  [/^node:internal\/modules\//, 'ES module loading (unbundled only; the bin is one bundle)'],
];
const DIST_URL = pathToFileURL(resolve(DIST)).href;

/**
 * The job a frame names for sure (a torchward module, Node's module loader, GC …), or undefined.
 * Other frames of Node's own modules (fs, streams, timers) are counted for the torchward frame
 * that called them, and only as 'Node built-ins' when none did.
 */
function jobOf(frame) {
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.functionName === '(program)') return 'V8 native (compiling, IC misses)';
  if (frame.functionName === 'crc32' && frame.url === 'node:zlib') return 'member CRC';
  const url = frame.url.startsWith(`${DIST_URL}/`)
    ? `/dist/${frame.url.slice(DIST_URL.length + 1)}`
    : frame.url;
  for (const [re, job] of BY_URL) if (re.test(url)) return job;
  return undefined;
}

/** Milliseconds per job in one .cpuprofile (idle left out). */
function jobsOf(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const job = new Map();
  const resolveJob = (id) => {
    if (job.has(id)) return job.get(id);
    const n = byId.get(id);
    const j = jobOf(n.callFrame) ?? (parent.has(id) ? resolveJob(parent.get(id)) : undefined);
    job.set(id, j);
    return j;
  };
  const ms = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    if (n.callFrame.functionName === '(idle)') continue;
    const j =
      resolveJob(n.id) ??
      (n.callFrame.url.startsWith('node:')
        ? 'Node built-ins (bootstrap, timers, streams)'
        : 'other');
    ms.set(j, (ms.get(j) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  return ms;
}

const totals = { main: new Map(), worker: new Map() };
for (let run = 0; run < RUNS; run++) {
  const dir = join(work, `run${String(run)}`);
  const r = spawnSync(
    process.execPath,
    [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      '--cpu-prof-interval=100',
      join(DIST, 'cli', 'main.js'),
      'scan',
      '--no-progress',
      '-f',
      'json',
      INPUT,
    ],
    { env, encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  if (r.status !== 0) throw new Error(`scan exited ${String(r.status)}: ${r.stderr}`);
  for (const name of readdirSync(dir)) {
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the calling thread.
    const thread = name.split('.')[4] === '0' ? 'main' : 'worker';
    for (const [j, ms] of jobsOf(join(dir, name))) {
      totals[thread].set(j, (totals[thread].get(j) ?? 0) + ms);
    }
  }
}
const load = loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
for (const thread of ['main', 'worker']) {
  const all = [...totals[thread].values()].reduce((a, b) => a + b, 0);
  for (const [j, ms] of [...totals[thread]].sort((a, b) => b[1] - a[1])) {
    console.log(
      JSON.stringify({
        profile: 'cpu-prof (dist/cli/main.js)',
        thread,
        job: j,
        msPerRun: +(ms / RUNS).toFixed(1),
        share: +(ms / all).toFixed(3),
        load,
      }),
    );
  }
}

// 2. perf, on the bundled bin as installed, code cache warm.
const perfFound = spawnSync('perf', ['--version']).status === 0;
if (!perfFound) {
  console.error('bench process-profile: perf not found; the whole-process breakdown is skipped');
  process.exit(0);
}
env.TORCHWARD_CODE_CACHE_DIR = join(work, 'code-cache');
const BIN = [
  process.execPath,
  join(DIST, 'bundle', 'torchward.js'),
  'scan',
  '--no-progress',
  '-f',
  'json',
];
spawnSync(BIN[0], [...BIN.slice(1), INPUT], { env, maxBuffer: 256 << 20 });
const KINDS = [
  [
    /compiler::|OptimizingCompileDispatcher|TurboFan|RegisterAllocator|InstructionSelector/,
    'TurboFan (optimising compiler)',
  ],
  [
    /Scaveng|MarkCompact|Sweeper|ConcurrentMarking|Heap::|GCTracer|Evacuat|MinorMC/,
    'garbage collection',
  ],
  [
    /Scanner|Parser|PreParser|AstValueFactory|Scope::|BytecodeGenerator|Compiler::|CalculateLineEnds|Keyword/,
    'parsing and bytecode compiling',
  ],
  [
    /Deserializ|CodeSerializer|SerializedCodeData|Snapshot/,
    'code cache and snapshot deserialisation',
  ],
  [
    /^Builtins_|^JS:|Runtime_|IC::|Interpreter|Baseline|Deoptimiz|^\[unknown\]|^0x/,
    'JavaScript, V8 built-ins and runtime',
  ],
];
const kinds = new Map();
for (let run = 0; run < RUNS; run++) {
  const data = join(work, `perf${String(run)}.data`);
  const rec = spawnSync('perf', ['record', '-q', '-F', '10000', '-o', data, ...BIN, INPUT], {
    env,
    maxBuffer: 256 << 20,
  });
  if (rec.status !== 0) {
    console.error(`bench process-profile: perf record failed (${String(rec.stderr)}); skipped`);
    process.exit(0);
  }
  const rep = spawnSync(
    'perf',
    ['report', '-i', data, '--no-children', '--sort', 'sym', '-q', '-g', 'none'],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  );
  for (const line of rep.stdout.split('\n')) {
    const m = /^\s*([\d.]+)%\s+\[(.)\]\s+(.*)$/.exec(line);
    if (m === null) continue;
    const [, pct, where, sym] = m;
    let kind = where === 'k' ? 'kernel' : 'other native (Node, libuv, allocator)';
    if (where !== 'k')
      for (const [re, k] of KINDS)
        if (re.test(sym)) {
          kind = k;
          break;
        }
    kinds.set(kind, (kinds.get(kind) ?? 0) + Number(pct) / RUNS);
  }
}
for (const [kind, pct] of [...kinds].sort((a, b) => b[1] - a[1])) {
  console.log(
    JSON.stringify({
      profile: 'perf (bundled bin, warm code cache)',
      kind,
      share: +(pct / 100).toFixed(3),
      load,
    }),
  );
}
