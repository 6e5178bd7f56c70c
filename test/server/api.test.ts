import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MemoryQueue } from '../../src/server/memory-queue.js';
import { createKey, loadKeys } from '../../src/server/keys.js';
import { CLI, startService, upload, waitForScan, type TestService } from '../helpers/service.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

// The HTTP API over loopback with the in-process queue: real fastify, real multipart bodies, real
// checkpoints written by torch (test/fixtures/zip/README.md), real upstream HTTP servers.

const BENIGN = readFileSync('test/fixtures/zip/ok/torch-state-dict.pt');
const HOSTILE = readFileSync('test/fixtures/zip/evil/torch-evil.pt');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function storeFiles(svc: TestService): { objects: string[]; tmp: string[] } {
  return {
    objects: readdirSync(join(svc.store.root, 'objects')),
    tmp: readdirSync(join(svc.store.root, 'tmp')),
  };
}

describe('serve API (in-process queue)', () => {
  let svc: TestService;
  let upstream: Server;
  let upstreamBase = '';
  let key = '';

  before(async () => {
    const keysFile = join(mkdtempSync(join(tmpdir(), 'tw-keys-')), 'keys.jsonl');
    key = (await createKey(keysFile)).key;
    const keys = await loadKeys(keysFile);
    svc = await startService(
      (store) => new MemoryQueue(store, { concurrency: 2, attempts: 2, timeoutMs: 30_000 }),
      { keys, noAuth: false, allowLoopbackUrls: true, maxUploadBytes: 1024 * 1024 },
    );
    // A loopback upstream: the artifact, redirects into forbidden ranges, an oversized body.
    upstream = createServer((req, res) => {
      if (req.url === '/model.pt') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(BENIGN);
      } else if (req.url === '/to-metadata') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
      } else if (req.url === '/to-private') {
        res.writeHead(301, { location: 'http://10.1.2.3/model.pt' });
        res.end();
      } else if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024);
        let sent = 0;
        const pump = (): void => {
          while (sent < 4 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const address = upstream.address();
    upstreamBase = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  after(async () => {
    await svc.close();
    upstream.close();
  });

  const auth = (): Record<string, string> => ({ authorization: `Bearer ${key}` });

  it('scans an upload and answers with the CLI JSON report and SARIF', async () => {
    const up = await upload(svc.base, HOSTILE, 'evil.pt', auth());
    assert.equal(up.status, 202);
    assert.equal(up.body.id, sha(HOSTILE));
    const done = await waitForScan(svc.base, sha(HOSTILE));
    assert.equal(done.status, 'done');
    assert.equal(done.verdict, 'malicious');
    // The same report as `torchward scan --format json` of the same bytes (timing aside).
    const run = spawnSync(process.execPath, [CLI, 'scan', '--format', 'json', sha(HOSTILE)], {
      cwd: join(svc.store.root, 'objects'),
      encoding: 'utf8',
    });
    assert.equal(run.status, 1, run.stderr);
    const cli = JSON.parse(run.stdout) as { summary: Record<string, unknown> };
    delete cli.summary.durationMs;
    assert.deepEqual(done.report, cli);
    const sarif = await fetch(`${svc.base}/v1/scans/${sha(HOSTILE)}/sarif`);
    assert.equal(sarif.status, 200);
    assert.match(sarif.headers.get('content-type') ?? '', /application\/sarif\+json/);
    const log = (await sarif.json()) as {
      version: string;
      runs: { results: { ruleId: string }[] }[];
    };
    assert.equal(log.version, '2.1.0');
    assert.ok(log.runs[0]?.results.some((r) => r.ruleId.startsWith('pickle/')));
  });

  it('reports a benign checkpoint safe, and the same bytes twice as one scan', async () => {
    const first = await upload(svc.base, BENIGN, 'a.pt', auth());
    const second = await upload(svc.base, BENIGN, 'b.pt', auth());
    assert.equal(first.body.id, second.body.id);
    const done = await waitForScan(svc.base, sha(BENIGN));
    assert.equal(done.verdict, 'safe');
  });

  it('refuses writes without a valid API key', async () => {
    assert.equal((await upload(svc.base, BENIGN)).status, 401);
    const wrong = await upload(svc.base, BENIGN, 'x', { authorization: 'Bearer twk_wrong' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'UNAUTHORIZED');
    // Reads stay open.
    assert.equal((await fetch(`${svc.base}/healthz`)).status, 200);
  });

  it('refuses bad ids, unknown scans, malformed bodies and wrong content types', async () => {
    for (const bad of ['xyz', 'A'.repeat(64), `${'0'.repeat(63)}g`, '..%2f..%2fetc']) {
      const res = await fetch(`${svc.base}/v1/scans/${bad}`);
      assert.equal(res.status, 400, bad);
      assert.equal(((await res.json()) as { error: string }).error, 'BAD_ID');
    }
    assert.equal((await fetch(`${svc.base}/v1/scans/${'0'.repeat(64)}`)).status, 404);
    assert.equal((await fetch(`${svc.base}/v1/scans/${'0'.repeat(64)}/sarif`)).status, 404);
    const before = storeFiles(svc);
    const malformed = await fetch(`${svc.base}/v1/scans`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
    });
    assert.equal(malformed.status, 400);
    const noFile = await fetch(`${svc.base}/v1/scans`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ--\r\n',
    });
    assert.equal(noFile.status, 400);
    const text = await fetch(`${svc.base}/v1/scans`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(text.status, 415);
    const badJson = await fetch(`${svc.base}/v1/scans`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{"url":',
    });
    assert.equal(badJson.status, 400);
    assert.deepEqual(storeFiles(svc), before);
  });

  it('answers every malformed multipart body with a 4xx and keeps nothing', async () => {
    const before = storeFiles(svc);
    const part = (name: string, body: string, filename = 'a.bin'): string =>
      `--XYZ\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n${body}\r\n`;
    const cases: [string, string, number, string][] = [
      // The file under another name.
      [
        'multipart/form-data; boundary=XYZ',
        `${part('upload', 'abc')}--XYZ--\r\n`,
        400,
        'BAD_MULTIPART',
      ],
      // Two files (one is allowed).
      [
        'multipart/form-data; boundary=XYZ',
        `${part('file', 'abc')}${part('file', 'def', 'b.bin')}--XYZ--\r\n`,
        200,
        '',
      ],
      // No boundary parameter.
      ['multipart/form-data', `${part('file', 'abc')}--XYZ--\r\n`, 400, ''],
      // A boundary that never appears.
      ['multipart/form-data; boundary=NOPE', 'just bytes, no parts at all', 400, 'BAD_MULTIPART'],
      // Headers of a part cut off in the middle.
      [
        'multipart/form-data; boundary=XYZ',
        '--XYZ\r\nContent-Disposition: form-da',
        400,
        'BAD_MULTIPART',
      ],
      // Binary garbage.
      ['multipart/form-data; boundary=XYZ', '\u0000\u00ff\u0001--XYZ\u0000', 400, 'BAD_MULTIPART'],
    ];
    for (const [type, body, status, code] of cases) {
      const res = await fetch(`${svc.base}/v1/scans`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': type },
        body,
      });
      const answer = (await res.json()) as { error?: string; id?: string };
      if (status === 200) {
        // Two files: the first is taken, or the body is refused; either way no crash.
        assert.ok(res.status === 202 || res.status === 400 || res.status === 413, `${res.status}`);
        continue;
      }
      assert.equal(res.status, status, `${type} ${JSON.stringify(body)}`);
      if (code !== '') assert.equal(answer.error, code, JSON.stringify(body));
    }
    // Only the two-files case could have stored its first file ("abc").
    const now = storeFiles(svc);
    assert.deepEqual(now.tmp, []);
    assert.deepEqual(
      now.objects.filter((o) => !before.objects.includes(o) && o !== sha(Buffer.from('abc'))),
      [],
    );
  });

  it('refuses ids that are not ids on every route that takes one', async () => {
    for (const bad of ['0'.repeat(65), 'ABC', '%00', `${'a'.repeat(63)}%20`, '-1', '.']) {
      for (const path of [`/v1/scans/${bad}`, `/v1/scans/${bad}/sarif`]) {
        const res = await fetch(`${svc.base}${path}`);
        assert.equal(res.status, 400, path);
        assert.equal(((await res.json()) as { error: string }).error, 'BAD_ID');
      }
    }
    // An id past fastify's parameter length (100) is refused by the router: 414.
    const long = await fetch(`${svc.base}/v1/scans/${'x'.repeat(4000)}`);
    assert.equal(long.status, 414);
    assert.equal(typeof ((await long.json()) as { error: unknown }).error, 'string');
    // A path longer than node's header limit is refused by the HTTP parser itself.
    const huge = await fetch(`${svc.base}/v1/scans/${'a'.repeat(70_000)}`);
    assert.equal(huge.status, 431);
    // A JSON body over the 64 KiB limit.
    const big = await fetch(`${svc.base}/v1/scans`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ url: `https://example.com/${'a'.repeat(70_000)}` }),
    });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: string }).error, 'TOO_LARGE');
  });

  it('refuses an over-limit upload with 413 and keeps nothing of it', async () => {
    const before = storeFiles(svc);
    const big = new Uint8Array(1024 * 1024 + 1).fill(7);
    const res = await upload(svc.base, big, 'big.bin', auth());
    assert.equal(res.status, 413);
    assert.equal(res.body.error, 'TOO_LARGE');
    assert.deepEqual(storeFiles(svc), before);
    assert.equal((await fetch(`${svc.base}/v1/scans/${sha(big)}`)).status, 404);
  });

  it('fetches a URL reference, and refuses private targets, redirects into them and hf://', async () => {
    const ok = await fetch(`${svc.base}/v1/scans`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${upstreamBase}/model.pt` }),
    });
    assert.equal(ok.status, 202);
    assert.equal(((await ok.json()) as { id: string }).id, sha(BENIGN));
    const before = storeFiles(svc);
    const cases: [string, number, string][] = [
      ['http://169.254.169.254/latest/meta-data/', 400, 'BLOCKED_ADDRESS'],
      ['http://[::ffff:169.254.169.254]/', 400, 'BLOCKED_ADDRESS'],
      ['http://10.0.0.1/model.pt', 400, 'BLOCKED_ADDRESS'],
      ['http://192.168.1.1/', 400, 'BLOCKED_ADDRESS'],
      ['http://[fe80::1]/', 400, 'BLOCKED_ADDRESS'],
      [`${upstreamBase}/to-metadata`, 400, 'BLOCKED_ADDRESS'],
      [`${upstreamBase}/to-private`, 400, 'BLOCKED_ADDRESS'],
      ['file:///etc/passwd', 400, 'BAD_URL'],
      ['hf://openai-community/gpt2/pytorch_model.bin', 422, 'NOT_SUPPORTED'],
      [`${upstreamBase}/missing`, 502, 'UPSTREAM_STATUS'],
      [`${upstreamBase}/huge`, 413, 'TOO_LARGE'],
    ];
    for (const [url, status, code] of cases) {
      const res = await fetch(`${svc.base}/v1/scans`, {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: JSON.stringify({ url }),
      });
      assert.equal(res.status, status, url);
      assert.equal(((await res.json()) as { error: string }).error, code, url);
    }
    assert.deepEqual(storeFiles(svc), before);
  });

  it('serves health, Prometheus metrics and the OpenAPI description', async () => {
    const health: unknown = await (await fetch(`${svc.base}/healthz`)).json();
    assert.deepEqual(health, {
      status: 'ok',
      queue: true,
      store: { kind: 'memory', reachable: true },
    });
    const metrics = await (await fetch(`${svc.base}/metrics`)).text();
    assert.match(metrics, /^# TYPE torchward_http_requests_total counter$/m);
    assert.match(metrics, /^torchward_scans_submitted_total [1-9]\d*$/m);
    assert.match(metrics, /^torchward_urls_refused_total [1-9]\d*$/m);
    assert.match(metrics, /^torchward_scan_jobs\{state="done"\} [1-9]\d*$/m);
    const api = (await (await fetch(`${svc.base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.equal(api.openapi, '3.1.0');
    assert.ok('/v1/scans/{id}/sarif' in api.paths);
  });

  it('takes 200 concurrent uploads: every one stored, scanned once, none lost', async () => {
    const bodies = Array.from({ length: 200 }, (_, i) => {
      // Distinct small pickles: protocol 2 header, a short unicode string, STOP.
      const s = Buffer.from(`artifact-${i}`);
      return Buffer.concat([Buffer.from([0x80, 0x02, 0x58]), u32(s.length), s, Buffer.from('.')]);
    });
    const answers = await Promise.all(
      bodies.map((b, i) => upload(svc.base, b, `${i}.pkl`, auth())),
    );
    assert.ok(answers.every((a) => a.status === 202));
    const ids = new Set(answers.map((a) => a.body.id));
    assert.equal(ids.size, 200);
    const done = await Promise.all([...ids].map((id) => waitForScan(svc.base, id ?? '', 120_000)));
    assert.ok(done.every((d) => d.status === 'done' && d.verdict === 'safe'));
    assert.equal(storeFiles(svc).tmp.length, 0);
  });

  it('cuts off a client that never finishes its upload, and keeps answering health', async () => {
    const slow = await startService(
      (store) => new MemoryQueue(store, { concurrency: 1, attempts: 1, timeoutMs: 10_000 }),
      { requestTimeoutMs: 1500 },
    );
    try {
      const url = new URL(slow.base);
      const socket = connect(Number(url.port), '127.0.0.1');
      const closed = new Promise<number>((r) => {
        const started = Date.now();
        socket.on('close', () => {
          r(Date.now() - started);
        });
      });
      socket.on('error', () => undefined);
      // Read what the server answers (its 408), so the socket sees the server's end and closes.
      socket.resume();
      socket.write(
        'POST /v1/scans HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 100000\r\n\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nsome',
      );
      // While it dribbles, health answers.
      const health = await fetch(`${slow.base}/healthz`);
      assert.equal(health.status, 200);
      const ms = await closed;
      assert.ok(ms < 10_000, `closed after ${ms} ms`);
      // The aborted upload's partial file is removed once its stream errors.
      for (let i = 0; i < 50 && readdirSync(join(slow.store.root, 'tmp')).length > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(readdirSync(join(slow.store.root, 'tmp')).length, 0);
      assert.equal(readdirSync(join(slow.store.root, 'objects')).length, 0);
    } finally {
      await slow.close();
    }
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
