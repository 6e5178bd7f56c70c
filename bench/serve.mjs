// `npm run bench -- serve`: N small distinct artifacts (default 20,000; TW_BENCH_SERVE_N) through
// `torchward hub-scan` and 2 `torchward worker` processes (concurrency 1 each) on a redis-server
// started here on a free loopback port. Prints throughput, p50/p99 job latency (enqueue to finish,
// from BullMQ's job timestamps) and Redis memory as one JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const N = Number(process.env.TW_BENCH_SERVE_N ?? 20000);
const out = resolve('bench/out/serve');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'artifacts'), { recursive: true });
const lines = [];
for (let i = 0; i < N; i++) {
  // A protocol-2 pickle of one short str: distinct bytes, a real (benign) pickle.
  const s = Buffer.from(`artifact-${i}`);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(s.length);
  const file = join(out, 'artifacts', `${i}.pkl`);
  writeFileSync(file, Buffer.concat([Buffer.from([0x80, 0x02, 0x58]), len, s, Buffer.from('.')]));
  lines.push(file);
}
writeFileSync(join(out, 'list.txt'), `${lines.join('\n')}\n`);

const port = await new Promise((r) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => r(p));
  });
});
const redis = spawn(
  '/usr/bin/redis-server',
  [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    out,
    '--save',
    '',
    '--appendonly',
    'yes',
  ],
  { stdio: 'ignore' },
);
await new Promise((r) => setTimeout(r, 500));
const url = `redis://127.0.0.1:${port}`;
const cli = resolve('dist/cli/main.js');
const store = join(out, 'store');
const workers = [0, 1].map(() =>
  spawn(process.execPath, [cli, 'worker', '--redis', url, '--store', store, '--concurrency', '1'], {
    stdio: 'ignore',
  }),
);
const started = Date.now();
const hub = spawnSync(
  process.execPath,
  [
    cli,
    'hub-scan',
    '--redis',
    url,
    '--list',
    join(out, 'list.txt'),
    '--store',
    store,
    '--format',
    'json',
    '--max-items',
    String(N),
  ],
  { encoding: 'utf8', maxBuffer: 1 << 26 },
);
const elapsedMs = Date.now() - started;
const summary = JSON.parse(hub.stdout);
const client = new Redis(url);
const memory = Number(/used_memory:(\d+)/.exec(await client.info('memory'))[1]);
const queue = new Queue('torchward-scans', { connection: { url } });
const latencies = [];
for (let at = 0; at < N; at += 1000) {
  for (const job of await queue.getJobs(['completed'], at, at + 999)) {
    if (job.finishedOn !== undefined) latencies.push(job.finishedOn - job.timestamp);
  }
}
latencies.sort((a, b) => a - b);
const pct = (p) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(
  JSON.stringify({
    bench: 'serve-queue',
    artifacts: N,
    workers: 2,
    scanned: summary.scanned,
    verdicts: summary.verdicts,
    elapsedMs,
    throughputPerS: Number((summary.scanned / (elapsedMs / 1000)).toFixed(1)),
    latencyP50Ms: pct(50),
    latencyP99Ms: pct(99),
    redisUsedMemoryBytes: memory,
  }),
);
await queue.close();
client.disconnect();
for (const w of workers) w.kill('SIGTERM');
redis.kill('SIGTERM');
