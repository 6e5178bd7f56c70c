// Whole-process benchmark (issue 12 item 10): `torchward scan` as a user runs it, against a peer
// run in the same minutes on the same inputs, each in a fresh process under /usr/bin/time (wall,
// user + system CPU, peak RSS):
//  - 500 small torch checkpoints (bench/out/process/small, torch 1.13 `torch.save`);
//  - one 256 MiB torch zip checkpoint (bench/out/process/big.pt);
//  - start-up: `node -e 0`, `python3 -c pass`, and `torchward scan` of one small checkpoint.
// torchward runs as the installed bin does (the bundle dist/bundle/torchward.js); the 256 MiB and
// one-checkpoint cases are also run through tsc's unbundled dist/cli/main.js, to show what the
// bundle saves. Run alone: `node bench/process.mjs [case substring]` after `npm run build`.
// The peer is real picklescan when TORCHWARD_PICKLESCAN_SRC names a folder holding its
// `picklescan/` package (its source tree's `src/`, e.g. `git archive HEAD src setup.cfg | tar -x
// -C DIR` of its repository, then DIR/src; never committed here), run as
// `/usr/bin/python3 -m picklescan -p PATH` with that folder on PYTHONPATH; otherwise the
// stand-in bench/peer_pickle_scan.py (picklescan's opcode walk with pickletools). Each JSON line
// names the peer used. When NODE_EXTRA_CA_CERTS is set, Node 20 reads and parses that certificate
// bundle at every start-up, before any script runs (about 50 ms of CPU here for Debian's bundle):
// the torchward cases then also run once more without it ("no NODE_EXTRA_CA_CERTS"), so both the
// environment's cost and torchward's own are visible. Prints one JSON line per case with every
// run; TORCHWARD_BENCH_RUNS (default 5) runs per program, alternating.
// The bundled bin keeps a V8 code cache in a per-user folder (src/core/code-cache.ts): here that
// folder is a fresh temporary one (TORCHWARD_CODE_CACHE_DIR), each case runs once untimed first
// (which writes it), and the timed runs use it, as every run after a user's first does. The cases
// "…, no code cache" (TORCHWARD_CODE_CACHE=0) show a first run; "…, V8 defaults" runs without the
// CLI's V8 settings (TORCHWARD_V8_TUNING=0, and without NODE_EXTRA_CA_CERTS).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const OUT = 'bench/out/process';
const RUNS = Number(process.env.TORCHWARD_BENCH_RUNS ?? '5');
mkdirSync(join(OUT, 'small'), { recursive: true });

const GEN = String.raw`
import os, sys, torch
out = sys.argv[1]
torch.manual_seed(0)
small = os.path.join(out, 'small')
if len(os.listdir(small)) < 500:
    for i in range(500):
        m = torch.nn.Linear(16, 8)
        torch.save({'model': m.state_dict(), 'epoch': i}, os.path.join(small, f'ckpt_{i:03d}.pt'))
big = os.path.join(out, 'big.pt')
if not os.path.exists(big):
    # Eight 32 MiB tensors: a 256 MiB checkpoint shaped like a small model's state dict.
    torch.save({f'layer{k}.weight': torch.randn(8 * 1024 * 1024) for k in range(8)}, big)
`;
if (readdirSync(join(OUT, 'small')).length < 500 || !existsSync(join(OUT, 'big.pt'))) {
  console.error('bench process: generating the inputs with torch 1.13 (one-time)');
  execFileSync('/usr/bin/python3', ['-c', GEN, OUT], { stdio: 'inherit' });
}

const CACHE_DIR = mkdtempSync(join(tmpdir(), 'torchward-bench-code-cache-'));
process.on('exit', () => {
  rmSync(CACHE_DIR, { recursive: true, force: true });
});
process.env.TORCHWARD_CODE_CACHE_DIR = CACHE_DIR;

/** Runs `argv` under /usr/bin/time: wall and user + system seconds, peak RSS in MB. */
function timed(argv, env = process.env) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env,
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys, rss] = last.split(' ').map(Number);
  return { wall, cpu: +(user + sys).toFixed(2), rssMB: Math.round(rss / 1024), status: r.status };
}

const CLI = ['node', 'dist/bundle/torchward.js', 'scan', '--no-progress', '-f', 'json'];
const UNBUNDLED = ['node', 'dist/cli/main.js', 'scan', '--no-progress', '-f', 'json'];
const PICKLESCAN_SRC = process.env.TORCHWARD_PICKLESCAN_SRC;
if (
  PICKLESCAN_SRC !== undefined &&
  !existsSync(join(PICKLESCAN_SRC, 'picklescan', '__main__.py'))
) {
  console.error(`bench process: TORCHWARD_PICKLESCAN_SRC has no picklescan/__main__.py`);
  process.exit(2);
}
// Debian's Python 3.11 named directly (a pyenv shim in front of it adds ~50 ms per run).
const PEER =
  PICKLESCAN_SRC === undefined
    ? ['/usr/bin/python3', 'bench/peer_pickle_scan.py']
    : [
        '/usr/bin/env',
        `PYTHONPATH=${PICKLESCAN_SRC}`,
        '/usr/bin/python3',
        '-m',
        'picklescan',
        '-p',
      ];
const PEER_NAME =
  PICKLESCAN_SRC === undefined
    ? 'stand-in bench/peer_pickle_scan.py (not picklescan)'
    : `picklescan ${picklescanVersion(PICKLESCAN_SRC)} (python3 -m picklescan -p)`;
/** Environment without NODE_EXTRA_CA_CERTS, or undefined when it is not set. */
const NO_EXTRA_CA =
  process.env.NODE_EXTRA_CA_CERTS === undefined
    ? undefined
    : Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'));

/** picklescan's version as its source tree declares it (setup.cfg beside src/), if present. */
function picklescanVersion(src) {
  try {
    const cfg = readFileSync(join(src, '..', 'setup.cfg'), 'utf8');
    return /^version\s*=\s*(\S+)/m.exec(cfg)?.[1] ?? '(version unknown)';
  } catch {
    return '(version unknown)';
  }
}
const ONE = join(OUT, 'small', 'ckpt_000.pt');
const cases = [
  ['500 small checkpoints', [...CLI, join(OUT, 'small')], [...PEER, join(OUT, 'small')]],
  ['one 256 MiB checkpoint', [...CLI, join(OUT, 'big.pt')], [...PEER, join(OUT, 'big.pt')]],
  ['one small checkpoint', [...CLI, ONE], [...PEER, ONE]],
  [
    'unbundled: one 256 MiB checkpoint',
    [...UNBUNDLED, join(OUT, 'big.pt')],
    [...PEER, join(OUT, 'big.pt')],
  ],
  ['unbundled: one small checkpoint', [...UNBUNDLED, ONE], [...PEER, ONE]],
  ['bare runtime', ['node', '-e', '0'], ['/usr/bin/python3', '-c', 'pass']],
];
const NO_CODE_CACHE = { ...process.env, TORCHWARD_CODE_CACHE: '0' };
cases.push(
  [
    '500 small checkpoints, no code cache',
    [...CLI, join(OUT, 'small')],
    [...PEER, join(OUT, 'small')],
    NO_CODE_CACHE,
  ],
  [
    'one 256 MiB checkpoint, no code cache',
    [...CLI, join(OUT, 'big.pt')],
    [...PEER, join(OUT, 'big.pt')],
    NO_CODE_CACHE,
  ],
);
// The CLI's V8 settings (src/core/v8-tuning.ts) turned off: what they save on many small files.
cases.push([
  '500 small checkpoints, V8 defaults (TORCHWARD_V8_TUNING=0)',
  [...CLI, join(OUT, 'small')],
  [...PEER, join(OUT, 'small')],
  { ...(NO_EXTRA_CA ?? process.env), TORCHWARD_V8_TUNING: '0' },
]);
if (NO_EXTRA_CA !== undefined) {
  for (const [name, argv, peer, env] of [...cases]) {
    if (name.startsWith('unbundled') || env !== undefined) continue;
    cases.push([`${name}, no NODE_EXTRA_CA_CERTS`, argv, peer, NO_EXTRA_CA]);
  }
}
const only = process.argv[2];
const min = (runs, key) => Math.min(...runs.map((r) => r[key]));
for (const [name, argv, peer, env] of cases) {
  if (only !== undefined && !name.includes(only)) continue;
  const runs = [];
  const peers = [];
  // Untimed: writes the code cache the timed runs use (a no-op for the other programs).
  timed(argv, env);
  for (let i = 0; i < RUNS; i++) {
    runs.push(timed(argv, env));
    peers.push(timed(peer));
  }
  console.log(
    JSON.stringify({
      bench: 'process',
      case: name,
      peerName:
        name === 'bare runtime' || name.startsWith('bare runtime,') ? 'python3 -c pass' : PEER_NAME,
      torchward: {
        minWall: min(runs, 'wall'),
        minCpu: min(runs, 'cpu'),
        maxRssMB: Math.max(...runs.map((r) => r.rssMB)),
        status: runs[0]?.status,
      },
      peer: {
        minWall: min(peers, 'wall'),
        minCpu: min(peers, 'cpu'),
        maxRssMB: Math.max(...peers.map((r) => r.rssMB)),
        status: peers[0]?.status,
      },
      cpuRatio: +(min(runs, 'cpu') / min(peers, 'cpu')).toFixed(2),
      wallRatio: +(min(runs, 'wall') / min(peers, 'wall')).toFixed(2),
      runs,
      peerRuns: peers,
      loadavg: loadavg().map((x) => +x.toFixed(1)),
    }),
  );
}
