// `node bench/serve-load.mjs` (or `npm run bench -- serve-load`): a `torchward serve` process
// (in-process queue) on a free loopback port takes
//   1. one upload of a 2 GiB safetensors file (TW_BENCH_UPLOAD_MB, default 2048) generated on the
//      fly by this client (never written here; the server stores it), and
//   2. 200 concurrent uploads of 64 KiB pickles beside 20 slow clients (a byte every 200 ms),
// while /healthz is polled every 200 ms and the server's VmRSS/VmHWM and CPU time are read from
// /proc/PID. The peer, measured in the same run on the same upload: a bare node:http server that
// streams the raw body to a file and hashes it (no multipart, no store, no scan), the floor for
// the same bytes over loopback. Prints one JSON line per phase.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { sendGenerated } from './upload-client.mjs';

const MB = Number(process.env.TW_BENCH_UPLOAD_MB ?? 2048);
const out = resolve('bench/out/serve-load');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Clock ticks of /proc/PID/stat utime and stime: USER_HZ, 100 on Linux.
const TICK = 100;

function proc(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (n) => Number(new RegExp(`^${n}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), cpu: (Number(f[11]) + Number(f[12])) / TICK };
}

function sampler(pid) {
  let rss = 0;
  const start = proc(pid);
  const timer = setInterval(() => {
    rss = Math.max(rss, proc(pid).rss);
  }, 100);
  return () => {
    clearInterval(timer);
    const end = proc(pid);
    return {
      peakRssMB: +(Math.max(rss, end.rss) / 2 ** 20).toFixed(1),
      hwmMB: +(end.hwm / 2 ** 20).toFixed(1),
      cpuS: +(end.cpu - start.cpu).toFixed(2),
    };
  };
}

function health(base) {
  let running = true;
  const ms = [];
  let bad = 0;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.status === 200) ms.push(performance.now() - t);
        else bad++;
      } catch {
        bad++;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return async () => {
    running = false;
    await loop;
    ms.sort((a, b) => a - b);
    const q = (p) => +(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0).toFixed(1);
    return { healthChecks: ms.length, healthFailed: bad, healthP50ms: q(0.5), healthMaxMs: q(1) };
  };
}

async function waitDone(base, id) {
  for (;;) {
    const body = await (await fetch(`${base}/v1/scans/${id}`)).json();
    if (body.status === 'done' || body.status === 'failed') return body;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const bytes = MB * 2 ** 20;

// The peer: raw body to a file, hashed, in a child process of its own (so its CPU is its own).
const peerSource = `
const { createServer } = require('node:http');
const { createHash } = require('node:crypto');
const { createWriteStream } = require('node:fs');
const s = createServer((req, res) => {
  const h = createHash('sha256');
  const out = createWriteStream(process.argv[1]);
  req.on('data', (c) => h.update(c));
  req.pipe(out);
  out.on('finish', () => res.end(h.digest('hex')));
});
s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
`;
async function startChild(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((ok, fail) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m) ok(m[1]);
    });
    child.once('exit', (c) => fail(new Error(`exited ${c}: ${text}`)));
  });
  return { child, base };
}

const peer = await startChild(['-e', peerSource, join(out, 'peer.bin')]);
{
  const stop = sampler(peer.child.pid);
  const t = performance.now();
  const r = await sendGenerated(peer.base, bytes, { multipart: false });
  const s = (performance.now() - t) / 1000;
  const m = stop();
  console.log(
    JSON.stringify({
      bench: 'serve-load',
      phase: 'peer: node:http raw body to file + sha256',
      mb: MB,
      seconds: +s.toFixed(2),
      mbPerS: +(MB / s).toFixed(1),
      status: r.status,
      ...m,
    }),
  );
  peer.child.kill();
  rmSync(join(out, 'peer.bin'), { force: true });
}

const cli = resolve('dist/cli/main.js');
const store = join(out, 'store');
const serve = await startChild([
  cli,
  'serve',
  '--no-auth',
  '--listen',
  '127.0.0.1:0',
  '--store',
  store,
  '--concurrency',
  '2',
  '--max-upload',
  '4G',
  '--request-timeout',
  '10',
]);
try {
  const idle = proc(serve.child.pid);
  // The large upload runs on a server of its own with the default request timeout (900 s): the
  // other one cuts slow clients off after 10 s.
  const big = await startChild([
    cli,
    'serve',
    '--no-auth',
    '--listen',
    '127.0.0.1:0',
    '--store',
    join(out, 'store-big'),
    '--max-upload',
    '4G',
  ]);
  {
    const stop = sampler(big.child.pid);
    const stopHealth = health(big.base);
    const t = performance.now();
    const r = await sendGenerated(`${big.base}/v1/scans`, bytes, { multipart: true });
    const s = (performance.now() - t) / 1000;
    const id = JSON.parse(r.text).id;
    const done = await waitDone(big.base, id);
    const m = stop();
    console.log(
      JSON.stringify({
        bench: 'serve-load',
        phase: 'serve: one streamed upload, stored and scanned',
        mb: MB,
        uploadSeconds: +s.toFixed(2),
        mbPerS: +(MB / s).toFixed(1),
        status: r.status,
        verdict: done.verdict,
        ...m,
        ...(await stopHealth()),
      }),
    );
    big.child.kill();
    rmSync(join(out, 'store-big'), { recursive: true, force: true });
  }

  const stop = sampler(serve.child.pid);
  const stopHealth = health(serve.base);
  const url = new URL(serve.base);
  const slow = Array.from(
    { length: 20 },
    () =>
      new Promise((done) => {
        const socket = connect(Number(url.port), '127.0.0.1');
        let answer = '';
        socket.on('data', (d) => (answer += d));
        socket.on('error', () => undefined);
        socket.write(
          'POST /v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n',
        );
        const timer = setInterval(() => socket.destroyed || socket.write('x'), 200);
        socket.on('close', () => {
          clearInterval(timer);
          done(answer.split('\r\n')[0]);
        });
      }),
  );
  const t = performance.now();
  const answers = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const s = Buffer.from(`load-${i}-${randomBytes(4).toString('hex')}`.padEnd(64 * 1024, '.'));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(s.length);
      const form = new FormData();
      form.append(
        'file',
        new Blob([Buffer.concat([Buffer.from([0x80, 0x02, 0x58]), len, s, Buffer.from('.')])]),
      );
      const res = await fetch(`${serve.base}/v1/scans`, { method: 'POST', body: form });
      return { status: res.status, body: await res.json() };
    }),
  );
  const accepted = (performance.now() - t) / 1000;
  const results = await Promise.all(answers.map((a) => waitDone(serve.base, a.body.id)));
  const scanned = (performance.now() - t) / 1000;
  const cut = await Promise.all(slow);
  const m = stop();
  console.log(
    JSON.stringify({
      bench: 'serve-load',
      phase: 'serve: 200 concurrent 64 KiB uploads + 20 slow clients',
      accepted: answers.filter((a) => a.status === 202).length,
      acceptSeconds: +accepted.toFixed(2),
      allScannedSeconds: +scanned.toFixed(2),
      safe: results.filter((r) => r.verdict === 'safe').length,
      slowClientsCut408: cut.filter((l) => l.startsWith('HTTP/1.1 408')).length,
      idleRssMB: +(idle.rss / 2 ** 20).toFixed(1),
      ...m,
      ...(await stopHealth()),
    }),
  );
} finally {
  serve.child.kill();
}
