// Limits benchmark (issue 12): the whole `torchward scan` process, in a fresh child each time, on
// inputs built to hit limits, with its wall time, CPU time and peak RSS from /usr/bin/time:
//  - a directory of 50,000 empty files (the walk and per-file cost; `find -type f` over the same
//    folder is timed as the floor of any walk);
//  - a 1 GiB-of-zeros bomb in gzip, xz and lzma-alone (Python's own writers) and lz4 (the lz4 CLI), where the target is
//    peak RSS under 400 MB whatever the limits allow;
//  - a torch zip whose deflated data.pkl is an os.system pickle followed by 256 MiB of zeros (the
//    limit must not hide the payload: the verdict must be malicious).
//  - a pickle header followed by 256 MiB of random bytes: the search for further pickles in junk.
// Inputs are generated under bench/out/limits (gitignored). Prints one JSON line per case;
// `node bench/limits.mjs WORD` runs only the cases whose name contains WORD.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const OUT = 'bench/out/limits';
const RUNS = Number(process.env.TORCHWARD_BENCH_RUNS ?? '3');
mkdirSync(OUT, { recursive: true });

const GEN = String.raw`
import bz2, gzip, lzma, os, pickle, sys, zipfile
out = sys.argv[1]
zeros = b'\0' * (1 << 20)
if not os.path.exists(os.path.join(out, 'bomb.gz')):
    with gzip.open(os.path.join(out, 'bomb.gz'), 'wb', compresslevel=9) as f:
        for _ in range(1024): f.write(zeros)
    with lzma.open(os.path.join(out, 'bomb.xz'), 'wb') as f:
        for _ in range(1024): f.write(zeros)
    c = lzma.LZMACompressor(format=lzma.FORMAT_ALONE)
    data = b''.join(c.compress(zeros) for _ in range(1024)) + c.flush()
    open(os.path.join(out, 'bomb.lzma'), 'wb').write(data)
    class Evil:
        def __reduce__(self):
            return (os.system, ('true',))
    with zipfile.ZipFile(os.path.join(out, 'padded.pt'), 'w', zipfile.ZIP_DEFLATED) as z:
        with z.open('archive/data.pkl', 'w', force_zip64=True) as f:
            f.write(pickle.dumps(Evil(), protocol=2))
            for _ in range(256): f.write(zeros)
        z.writestr('archive/version', '3\n')
if not os.path.exists(os.path.join(out, 'junk.pkl')):
    with open(os.path.join(out, 'junk.pkl'), 'wb') as f:
        f.write(b'\x80\x02')
        for _ in range(256): f.write(os.urandom(1 << 20))
`;
execFileSync('/usr/bin/python3', ['-c', GEN, OUT]);
// lz4 has no writer in Debian's Python: the lz4 CLI (Debian package lz4) frames the same zeros.
if (!existsSync(join(OUT, 'bomb.lz4')) && existsSync('/usr/bin/lz4')) {
  execFileSync('/bin/sh', [
    '-c',
    `head -c 1073741824 /dev/zero | /usr/bin/lz4 -9 -q > ${OUT}/bomb.lz4`,
  ]);
}
const empty = join(OUT, 'empty50k');
if (!existsSync(join(empty, 'f49999'))) {
  mkdirSync(empty, { recursive: true });
  for (let i = 0; i < 50_000; i++) writeFileSync(join(empty, `f${i}`), '');
}

/** Runs `argv` under /usr/bin/time; returns wall, user+sys seconds and peak RSS in MB. */
function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, user, sys, rss] = last.split(' ').map(Number);
  return { wall, cpu: +(user + sys).toFixed(2), rssMB: Math.round(rss / 1024), stdout: r.stdout };
}

const CLI = ['node', 'dist/cli/main.js', 'scan', '--no-progress', '-f', 'json'];
const cases = [
  ['walk 50,000 empty files', [...CLI, empty], ['find', empty, '-type', 'f']],
  ['gzip bomb, 1 GiB of zeros', [...CLI, join(OUT, 'bomb.gz')]],
  ['xz bomb, 1 GiB of zeros', [...CLI, join(OUT, 'bomb.xz')]],
  ['lzma-alone bomb, 1 GiB of zeros', [...CLI, join(OUT, 'bomb.lzma')]],
  ['lz4 bomb, 1 GiB of zeros', [...CLI, join(OUT, 'bomb.lz4')]],
  ['torch zip, os.system data.pkl + 256 MiB of zeros', [...CLI, join(OUT, 'padded.pt')]],
  ['pickle header + 256 MiB of random junk (resynchronisation)', [...CLI, join(OUT, 'junk.pkl')]],
];
const only = process.argv[2];
for (const [name, argv, peer] of cases) {
  if (only !== undefined && !name.includes(only)) continue;
  const runs = [];
  const peers = [];
  let verdict;
  for (let i = 0; i < RUNS; i++) {
    const r = timed(argv);
    runs.push({ wall: r.wall, cpu: r.cpu, rssMB: r.rssMB });
    verdict = JSON.parse(r.stdout).files.map((f) => f.verdict)[0] ?? 'none';
    if (peer !== undefined) {
      const p = timed(peer);
      peers.push({ wall: p.wall, cpu: p.cpu });
    }
  }
  console.log(
    JSON.stringify({
      bench: 'limits',
      case: name,
      verdict,
      runs,
      ...(peer === undefined ? {} : { peer: peer[0], peerRuns: peers }),
      maxRssMB: Math.max(...runs.map((r) => r.rssMB)),
      loadavg: loadavg().map((x) => +x.toFixed(1)),
    }),
  );
}
