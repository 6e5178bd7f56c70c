// Scanner benchmark (issue 2): 1,000 small torch checkpoints, a 1 GB torch zip, a 1 GB legacy
// torch file and a 1 GB raw pickle, generated with real torch. Each case runs in a fresh process
// (bench/scan-child.mjs) so peak RSS is that case's own.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const OUT = 'bench/out/scan';
mkdirSync(`${OUT}/small`, { recursive: true });

const GEN = String.raw`
import os, pickle, sys, torch
out = sys.argv[1]
torch.manual_seed(0)
small = os.path.join(out, 'small')
if len(os.listdir(small)) < 1000:
    for i in range(1000):
        m = torch.nn.Linear(16, 8)
        torch.save({'model': m.state_dict(), 'epoch': i}, os.path.join(small, f'ckpt_{i:04d}.pt'))
GB = 1 << 30
big = torch.zeros(GB // 4, dtype=torch.float32)
if not os.path.exists(os.path.join(out, 'big-zip.pt')):
    torch.save({'w': big}, os.path.join(out, 'big-zip.pt'))
if not os.path.exists(os.path.join(out, 'big-legacy.pt')):
    torch.save({'w': big}, os.path.join(out, 'big-legacy.pt'), _use_new_zipfile_serialization=False)
if not os.path.exists(os.path.join(out, 'big-raw.pkl')):
    # Four distinct objects: one blob referenced four times would be memoized and written once.
    with open(os.path.join(out, 'big-raw.pkl'), 'wb') as f:
        pickle.dump({'shard%d' % k: bytes([k]) * (GB // 4) for k in range(4)}, f, protocol=4)
`;

if (!existsSync(`${OUT}/big-raw.pkl`) || !existsSync(`${OUT}/big-zip.pt`)) {
  console.error('bench scan: generating the corpus with torch (one-time, ~1 minute)');
  execFileSync('/usr/bin/python3', ['-c', GEN, OUT], { stdio: 'inherit' });
}

function run(label, paths) {
  const r = spawnSync(process.execPath, ['bench/scan-child.mjs', ...paths], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${label}: ${r.stderr}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop());
  const mb = m.bytes / 1e6;
  const result = {
    bench: 'scan',
    case: label,
    files: m.files,
    bytes: m.bytes,
    ms: m.ms,
    filesPerSec: Math.round((m.files / m.ms) * 1000),
    MBPerSec: Math.round((mb / m.ms) * 1000),
    peakRssMB: m.maxRssMB,
    verdicts: m.verdicts,
    internalErrors: m.internalErrors,
  };
  console.log(JSON.stringify(result));
  return result;
}

console.error(
  `machine: ${cpus().length} x ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
run('1000 small zip checkpoints', [`${OUT}/small`]);
for (const name of ['big-zip.pt', 'big-legacy.pt', 'big-raw.pkl']) {
  const size = statSync(`${OUT}/${name}`).size;
  run(`${name} (${(size / 2 ** 30).toFixed(2)} GiB)`, [`${OUT}/${name}`]);
}
