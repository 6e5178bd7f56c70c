// Workflow-audit benchmark: generates 2,000 realistic workflows (CI matrices, release pipelines,
// reusable-workflow callers, composite actions and a few PyTorch-sized generated binary workflows)
// into bench/out/, then audits them in fresh processes through the compiled dist/:
//   one-cpu  `auditWorkflowFiles` alone, the process pinned to one CPU with `taskset -c 0` (the
//            issue's "on one core": V8's compiler and GC helper threads share that CPU too)
//   all-cpus the same call, unpinned (GC and JIT helpers may use the second core)
//   cli      the whole `torchward scan ROOT --format json` command, pinned (start-up, walk, JSON)
// Each prints one JSON line: {"case","files","bytes","seconds","filesPerSecond","cpuSeconds",
// "loadAverage","findings","peakRssMiB"}. One-cpu cases are skipped where taskset is missing.
// Usage: npx tsc -p tsconfig.json && node bench/workflows.mjs [count]
//        node bench/workflows.mjs --audit ROOT   (the child: audits ROOT's generated workflows)
// A speed change must keep every finding: bench/workflow-findings.mjs dumps them for two builds.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

if (process.argv[2] === '--audit') {
  await auditChild(process.argv[3] ?? '', process.argv[4] ?? 'wf-');
  process.exit(0);
}

/** Audits every workflow under `root`/.github/workflows and prints the timing as JSON. */
async function auditChild(root, prefix) {
  const { DEFAULT_LIMITS } = await import('../dist/core/limits.js');
  const { auditWorkflowFiles } = await import('../dist/engine/workflow-audit.js');
  const dir = join(root, '.github', 'workflows');
  const files = readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => ({ path: join(dir, name), uri: `.github/workflows/${name}` }));
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const results = await auditWorkflowFiles(files, {
    limits: DEFAULT_LIMITS,
    config: {},
    repoRoot: root,
  });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  // CPU time counts every thread of the process (V8's GC and compiler helpers included).
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    JSON.stringify({
      files: files.length,
      seconds: Number(seconds.toFixed(3)),
      filesPerSecond: Math.round(files.length / seconds),
      cpuSeconds: Number(cpuSeconds.toFixed(3)),
      loadAverage: Number(loadavg()[0].toFixed(1)),
      findings: results.reduce((n, r) => n + r.findings.length, 0),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

const COUNT = Number(process.argv[2] ?? '2000');
const ROOT = join('bench', 'out', 'workflows-repo');
const WORKFLOWS = join(ROOT, '.github', 'workflows');

// Deterministic PRNG (mulberry32) so every run audits the same bytes.
let seed = 0x5eed;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const sha = () =>
  Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');

const RUNNERS = [
  'ubuntu-latest',
  'ubuntu-22.04',
  'ubuntu-24.04',
  'windows-latest',
  'macos-14',
  'linux.2xlarge',
  '[self-hosted, linux.4xlarge]',
  'depot-ubuntu-24.04-8',
  '${{ matrix.runner }}',
];
const ACTIONS = [
  'actions/checkout',
  'actions/setup-python',
  'actions/setup-node',
  'actions/cache',
  'actions/upload-artifact',
  'actions/download-artifact',
  'docker/setup-buildx-action',
  'pytorch/test-infra/.github/actions/setup-linux',
];

function step(i) {
  const kind = random();
  if (kind < 0.45) {
    const action = pick(ACTIONS);
    const ref = random() < 0.6 ? sha() : pick(['v4', 'main', 'v3.1.0']);
    return `      - name: step ${i}\n        uses: ${action}@${ref}\n        with:\n          path: dist/\n          key: \${{ runner.os }}-\${{ hashFiles('**/requirements.txt') }}\n`;
  }
  const lines = [
    'python -m pip install -r requirements.txt',
    'pytest -q tests/ -k "not slow" --junitxml=test-results.xml',
    'echo "sha=${{ github.sha }}" >> "$GITHUB_OUTPUT"',
    'make -j"$(nproc)" build',
    'echo "Title: ${{ github.event.pull_request.title }}"',
    'aws s3 cp dist/ "s3://bucket/whl/${{ github.ref_name }}/" --recursive',
  ];
  const body = Array.from(
    { length: 2 + Math.floor(random() * 5) },
    () => `          ${pick(lines)}`,
  ).join('\n');
  return `      - name: step ${i}\n        shell: bash\n        env:\n          BUILD_ENVIRONMENT: linux-jammy-py3.10-gcc11\n          TOKEN: \${{ secrets.${pick(['GITHUB_TOKEN', 'PYPI_TOKEN', 'HF_TOKEN'])} }}\n        run: |\n${body}\n`;
}

function job(name, steps) {
  const runner = pick(RUNNERS);
  const matrix = runner.includes('matrix')
    ? `    strategy:\n      matrix:\n        runner: [ubuntu-latest, linux.g5.4xlarge.nvidia.gpu]\n        python: ["3.10", "3.11", "3.12"]\n`
    : '';
  const env =
    random() < 0.3
      ? `    environment: ${pick(['pypi', 'nightly', "${{ startsWith(github.ref, 'refs/tags/') && 'release' || '' }}"])}\n`
      : '';
  const container =
    random() < 0.2
      ? `    container: ${pick(['python:3.12', 'pytorch/manylinux2_28-builder:cuda12.6', 'ghcr.io/o/img@sha256:' + sha() + sha().slice(0, 24)])}\n`
      : '';
  return `  ${name}:\n${matrix}    runs-on: ${runner}\n${env}${container}    timeout-minutes: 120\n    steps:\n${Array.from({ length: steps }, (_, i) => step(i)).join('')}`;
}

function workflow(i) {
  const trigger = pick([
    'pull_request:\n  push:\n    branches: [main]',
    'push:\n    tags: ["v*"]',
    'pull_request_target:\n    types: [opened, synchronize]',
    'schedule:\n    - cron: "0 3 * * *"\n  workflow_dispatch:',
    'workflow_run:\n    workflows: [pull]\n    types: [completed]',
  ]);
  // About 1% are PyTorch-sized generated binary workflows (~100 KB each); the rest are sized so
  // the average file is ~7.5 KB, the mean of the corpus census in the reference
  // (pytorch, test-infra, executorch, ao, uv: 2.04 MB in 274 workflows).
  const huge = i % 97 === 0;
  const jobs = huge ? 80 : 1 + Math.floor(random() * 4);
  const perms = random() < 0.5 ? 'permissions: {}\n' : '';
  let body = `name: wf-${i}\non:\n  ${trigger}\n${perms}concurrency:\n  group: \${{ github.workflow }}-\${{ github.ref }}\n  cancel-in-progress: true\njobs:\n`;
  for (let j = 0; j < jobs; j++) body += job(`job-${j}`, huge ? 6 : 2 + Math.floor(random() * 7));
  if (random() < 0.15)
    body += `  call:\n    uses: ./.github/workflows/_reusable.yml\n    with:\n      runner: linux.2xlarge\n    secrets: inherit\n`;
  if (random() < 0.15)
    body += `  local:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/setup\n`;
  return body;
}

rmSync(ROOT, { recursive: true, force: true });
mkdirSync(WORKFLOWS, { recursive: true });
mkdirSync(join(ROOT, '.github', 'actions', 'setup'), { recursive: true });
writeFileSync(
  join(ROOT, '.github', 'actions', 'setup', 'action.yml'),
  'runs:\n  using: composite\n  steps:\n    - run: pip install -e .\n      shell: bash\n',
);
writeFileSync(
  join(WORKFLOWS, '_reusable.yml'),
  'on:\n  workflow_call:\n    inputs:\n      runner:\n        type: string\n        default: ubuntu-latest\njobs:\n  b:\n    runs-on: ${{ inputs.runner }}\n    steps:\n      - run: twine upload dist/*\n        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI_TOKEN }}\n',
);
let bytes = 0;
for (let i = 0; i < COUNT; i++) {
  const text = workflow(i);
  bytes += Buffer.byteLength(text);
  const path = join(WORKFLOWS, `wf-${String(i).padStart(4, '0')}.yml`);
  writeFileSync(path, text);
}

// Flush the generated files first: writeback running during the audit would compete for the CPU.
spawnSync('sync');
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const cases = [
  ...(hasTaskset ? [['one-cpu', ['taskset', '-c', '0', process.execPath]]] : []),
  ['all-cpus', [process.execPath]],
];
for (const [name, command] of cases) {
  const [program, ...args] = command;
  const child = spawnSync(program, [...args, 'bench/workflows.mjs', '--audit', ROOT], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
  console.log(JSON.stringify({ case: name, ...JSON.parse(child.stdout), bytes }));
}
if (hasTaskset) {
  const started = performance.now();
  const cli = spawnSync(
    'taskset',
    ['-c', '0', process.execPath, 'dist/cli/main.js', 'scan', ROOT, '--format', 'json'],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  const seconds = (performance.now() - started) / 1000;
  // Exit code 1: findings were reported (the generated workflows are full of them).
  if (cli.status !== 1) throw new Error(`cli exited ${cli.status}: ${cli.stderr}`);
  const report = JSON.parse(cli.stdout);
  console.log(
    JSON.stringify({
      case: 'cli',
      files: report.files.length,
      bytes,
      seconds: Number(seconds.toFixed(3)),
      filesPerSecond: Math.round(report.files.length / seconds),
      loadAverage: Number(loadavg()[0].toFixed(1)),
      findings: report.files.reduce((n, f) => n + f.findings.length, 0),
    }),
  );
}

// Real workflows (issue 21 item 8): the 263 files of test/fixtures/workflow-corpus (seven ML
// repositories) copied round-robin to 2,000 workflow files in one repository, each repository's
// composite actions beside them, then audited pinned to one CPU as above.
const REAL_ROOT = join('bench', 'out', 'real-workflows-repo');
const CORPUS = join('test', 'fixtures', 'workflow-corpus');
rmSync(REAL_ROOT, { recursive: true, force: true });
mkdirSync(join(REAL_ROOT, '.github', 'workflows'), { recursive: true });
const real = [];
for (const repo of readdirSync(CORPUS).sort()) {
  const github = join(CORPUS, repo, '.github');
  let entries;
  try {
    entries = readdirSync(join(github, 'workflows')).sort();
  } catch {
    continue;
  }
  for (const name of entries) {
    if (/\.ya?ml$/.test(name)) real.push(readFileSync(join(github, 'workflows', name), 'utf8'));
  }
  if (existsSync(join(github, 'actions')))
    cpSync(join(github, 'actions'), join(REAL_ROOT, '.github', 'actions'), {
      recursive: true,
      force: false,
      errorOnExist: false,
    });
}
let realBytes = 0;
for (let i = 0; i < COUNT; i++) {
  const text = real[i % real.length];
  realBytes += Buffer.byteLength(text);
  writeFileSync(
    join(REAL_ROOT, '.github', 'workflows', `real-${String(i).padStart(4, '0')}.yml`),
    text,
  );
}
spawnSync('sync');
for (const [name, command] of cases) {
  const [program, ...args] = command;
  const child = spawnSync(
    program,
    [...args, 'bench/workflows.mjs', '--audit', REAL_ROOT, 'real-'],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`real ${name}: ${child.stderr}`);
  console.log(
    JSON.stringify({
      case: `real-${name}`,
      distinct: real.length,
      ...JSON.parse(child.stdout),
      bytes: realBytes,
    }),
  );
}
