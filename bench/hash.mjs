// Hashing throughput of torchward against coreutils sha256sum on the same data (issue 6).
// Usage: node bench/hash.mjs (after `tsc -p tsconfig.json`). Writes under bench/out/ and
// deletes the 4 GiB file afterwards. Prints one JSON line. Each timing is the best of 3 runs
// after one warm-up run, so both tools read from the page cache.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITS } from '../dist/core/limits.js';
import { buildManifest } from '../dist/provenance/manifest.js';

const OUT = join(fileURLToPath(new URL('.', import.meta.url)), 'out', 'hash');
const SMALL_COUNT = 1000;
const SMALL_BYTES = 256 * 1024;
const LARGE_BYTES = 4 * 1024 ** 3;
const SHARD = 1_000_000_000;

function best(fn, runs = 3) {
  fn();
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return min;
}

async function bestAsync(fn, runs = 3) {
  await fn();
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    min = Math.min(min, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return min;
}

function sha256sum(cwd, files) {
  const r = spawnSync('sha256sum', files, { cwd, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
}

const mbps = (bytes, s) => Math.round(bytes / 1e6 / s);

rmSync(OUT, { recursive: true, force: true });
const smallDir = join(OUT, 'small');
mkdirSync(smallDir, { recursive: true });
const names = [];
const block = Buffer.alloc(SMALL_BYTES);
for (let i = 0; i < SMALL_COUNT; i++) {
  randomFillSync(block);
  const name = `f${String(i).padStart(4, '0')}.bin`;
  writeFileSync(join(smallDir, name), block);
  names.push(name);
}
const smallTotal = SMALL_COUNT * SMALL_BYTES;
const twSmall = await bestAsync(() => buildManifest(smallDir, { limits: DEFAULT_LIMITS }));
const twSmall1 = await bestAsync(() =>
  buildManifest(smallDir, { limits: DEFAULT_LIMITS, workers: 1 }),
);
const shSmall = best(() => sha256sum(smallDir, names));

const largeDir = join(OUT, 'large');
mkdirSync(largeDir, { recursive: true });
const largeFile = join(largeDir, 'model.bin');
const chunk = Buffer.alloc(64 * 1024 * 1024);
randomFillSync(chunk);
const fd = openSync(largeFile, 'w');
for (let written = 0; written < LARGE_BYTES; written += chunk.length) writeSync(fd, chunk);
closeSync(fd);
let twLarge;
let twLargeSharded;
let shLarge;
try {
  twLarge = await bestAsync(() => buildManifest(largeDir, { limits: DEFAULT_LIMITS }));
  twLargeSharded = await bestAsync(() =>
    buildManifest(largeDir, { limits: DEFAULT_LIMITS, shardSize: SHARD }),
  );
  shLarge = best(() => sha256sum(largeDir, ['model.bin']));
} finally {
  rmSync(largeFile, { force: true });
}

console.log(
  JSON.stringify({
    bench: 'hash',
    cores: (await import('node:os')).availableParallelism(),
    smallFiles: {
      count: SMALL_COUNT,
      bytesEach: SMALL_BYTES,
      torchwardMBps: mbps(smallTotal, twSmall),
      torchwardOneWorkerMBps: mbps(smallTotal, twSmall1),
      sha256sumMBps: mbps(smallTotal, shSmall),
      ratio: Number((shSmall / twSmall).toFixed(2)),
    },
    largeFile: {
      bytes: LARGE_BYTES,
      torchwardMBps: mbps(LARGE_BYTES, twLarge),
      torchwardSharded1GBMBps: mbps(LARGE_BYTES, twLargeSharded),
      sha256sumMBps: mbps(LARGE_BYTES, shLarge),
      ratio: Number((shLarge / twLarge).toFixed(2)),
    },
  }),
);
rmSync(OUT, { recursive: true, force: true });
