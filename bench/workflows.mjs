// Workflow-audit benchmark: generates 2,000 realistic workflows (CI matrices, release pipelines,
// reusable-workflow callers, composite actions and a few PyTorch-sized generated binary workflows)
// into bench/out/, audits them through the compiled dist/, and prints one JSON line:
// {"files","bytes","seconds","filesPerSecond","cpuSeconds","filesPerCpuSecond","loadAverage","findings","peakRssMiB"}
// Usage: npx tsc -p tsconfig.json && node bench/workflows.mjs [count]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_LIMITS } from '../dist/core/limits.js';
import { auditWorkflowFiles } from '../dist/engine/workflow-audit.js';

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
const files = [];
let bytes = 0;
for (let i = 0; i < COUNT; i++) {
  const text = workflow(i);
  bytes += Buffer.byteLength(text);
  const path = join(WORKFLOWS, `wf-${String(i).padStart(4, '0')}.yml`);
  writeFileSync(path, text);
  files.push({ path, uri: `.github/workflows/wf-${String(i).padStart(4, '0')}.yml` });
}

const cpuStart = process.cpuUsage();
const start = performance.now();
const results = await auditWorkflowFiles(files, {
  limits: DEFAULT_LIMITS,
  config: {},
  repoRoot: ROOT,
});
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
// CPU time is reported too: on a shared machine wall time includes waiting for a core.
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const findings = results.reduce((n, r) => n + r.findings.length, 0);
console.log(
  JSON.stringify({
    files: files.length,
    bytes,
    seconds: Number(seconds.toFixed(3)),
    filesPerSecond: Math.round(files.length / seconds),
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    filesPerCpuSecond: Math.round(files.length / cpuSeconds),
    loadAverage: Number(loadavg()[0].toFixed(1)),
    findings,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
