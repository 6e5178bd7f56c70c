// Negative controls and hostile peers: servers that are not TCPStores must never be named one, and
// every peer (silent, resetting, flooding, trickling) gets a bounded answer in bounded time.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { probeEndpoint } from '../../src/probe/run.js';
import { probeTcpStore } from '../../src/probe/tcpstore.js';

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');
const TIMEOUT = 300;
const servers: Server[] = [];
const sockets = new Set<Socket>();

after(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

function torchward(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MASTER_PORT: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('probe: negative controls', () => {
  it('a plain HTTP server is HTTP, never a TCPStore', async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>hello</html>');
      }),
    );
    const e = await probeEndpoint('t', '127.0.0.1', port, TIMEOUT);
    assert.equal(e.service, 'http');
    assert.equal(e.httpStatus, 200);
    assert.equal(e.unauthenticatedRead, null);
    assert.equal(e.severity, undefined);
    // Node's HTTP parser answers the binary stages with 400 Bad Request, or waits: never an echo.
    assert.notEqual(e.torchEra, 'ping');
  });

  it('an echo server is not a TCPStore: stage A gets its own byte back', async () => {
    const port = await listen(createServer((s) => s.pipe(s)));
    const store = await probeTcpStore('127.0.0.1', port, { timeoutMs: TIMEOUT });
    assert.equal(store.kind, 'not-tcpstore');
    assert.deepEqual(
      store.stages.map((s) => [s.stage, s.sent, s.received]),
      [['A', '06', '06']],
    );
    const e = await probeEndpoint('t', '127.0.0.1', port, TIMEOUT);
    assert.equal(e.service, 'unknown');
    assert.equal(e.severity, undefined);
  });

  it('an echo server that echoes stage B is still not a TCPStore: the echo is the whole request, not the nonce', async () => {
    // Echoes only once its peer has sent 2 bytes or more, so stage A is silent.
    const port = await listen(
      createServer((s) => {
        s.on('data', (d: Buffer) => {
          if (d.length > 1) s.write(d);
        });
      }),
    );
    const store = await probeTcpStore('127.0.0.1', port, { timeoutMs: TIMEOUT });
    assert.equal(store.kind, 'not-tcpstore');
  });

  it('a closed port is closed, found at once', async () => {
    const port = await closedPort();
    const e = await probeEndpoint('t', '127.0.0.1', port, TIMEOUT);
    assert.equal(e.service, 'none');
    assert.equal(e.state, 'closed');
    assert.equal(e.stages?.length, 1);
  });

  it('a server that accepts and never answers is open and unknown, each stage time-boxed', async () => {
    const port = await listen(createServer(() => undefined));
    const started = Date.now();
    const e = await probeEndpoint('t', '127.0.0.1', port, TIMEOUT);
    const elapsed = Date.now() - started;
    assert.equal(e.service, 'unknown');
    assert.equal(e.state, 'open');
    // Stage A and B time out (B only after A got nothing); no stage C (B was not closed), one GET.
    assert.deepEqual(
      e.stages?.map((s) => [s.stage, s.end]),
      [
        ['A', 'timeout'],
        ['B', 'timeout'],
      ],
    );
    assert.ok(elapsed < 3 * TIMEOUT + 2000, `took ${elapsed} ms`);
  });
});

describe('probe: hostile peers', () => {
  it('a host that resets every connection gets a per-endpoint answer, not a crash', async () => {
    const port = await listen(createServer((s) => s.resetAndDestroy()));
    const e = await probeEndpoint('t', '127.0.0.1', port, TIMEOUT);
    assert.equal(e.service, 'unknown');
    assert.ok(e.stages?.every((s) => s.received === ''));
    assert.ok(e.stages?.some((s) => s.end === 'reset'));
  });

  it('a server sending endless data costs at most 64 bytes per stage and one bounded GET', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    let sent = 0;
    const port = await listen(
      createServer((s) => {
        const pump = (): void => {
          while (!s.destroyed && sent < 10 * 1024 ** 3 && s.write(chunk)) sent += chunk.length;
        };
        s.on('drain', pump);
        pump();
      }),
    );
    const e = await probeEndpoint('t', '127.0.0.1', port, TIMEOUT);
    assert.equal(e.service, 'unknown');
    assert.equal(e.stages?.[0]?.end, 'overflow');
    assert.equal(e.stages?.[0]?.received.length, 128);
    // The peer never got far: the probe closed after its bounded read.
    assert.ok(sent < 64 * 1024 * 1024, `peer wrote ${sent} bytes`);
  });

  it('a slowloris peer (one byte every 50 ms) is cut at the time box of each step', async () => {
    const port = await listen(
      createServer((s) => {
        const timer = setInterval(() => {
          if (s.destroyed) clearInterval(timer);
          else s.write('H');
        }, 50);
      }),
    );
    const started = Date.now();
    const e = await probeEndpoint('t', '127.0.0.1', port, TIMEOUT);
    const elapsed = Date.now() - started;
    // Seven slow bytes in stage A: not an 8-byte answer, so not a store.
    assert.equal(e.service, 'unknown');
    assert.ok(elapsed < 2 * TIMEOUT + 2000, `took ${elapsed} ms`);
  });
});

describe('probe: command line', () => {
  it('refuses a public address without --allow-public, and says why (exit 2)', () => {
    const r = torchward(['probe', '8.8.8.8']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /public address; probe only hosts you are authorised to test/);
    assert.equal(r.stdout, '');
  });

  it('refuses a CIDR larger than /24 and an invalid CIDR (exit 2)', () => {
    assert.match(torchward(['probe', '10.0.0.0/23']).stderr, /larger than \/24/);
    assert.equal(torchward(['probe', '10.0.0.0/23']).code, 2);
    for (const bad of ['10.0.0.0/33', '10.0.0/24', '10.0.0.0/x', 'a b', 'http://x/']) {
      assert.equal(torchward(['probe', bad]).code, 2, bad);
    }
    assert.equal(torchward(['probe', '127.0.0.1:70000']).code, 2);
  });

  it('an unresolvable name is a per-target problem; nothing probed exits 3', () => {
    const r = torchward(['probe', 'no-such-host.invalid', '--format', 'json']);
    assert.equal(r.code, 3);
    const report = JSON.parse(r.stdout) as { problems: { problem: string }[]; endpoints: [] };
    assert.deepEqual(
      report.problems.map((p) => p.problem),
      ['unresolvable'],
    );
    assert.match(r.stderr, /cannot resolve/);
  });

  it('a closed loopback port exits 0; a /30 of loopback probes four addresses on the port given', async () => {
    const port = await closedPort();
    const r = torchward(['probe', `127.0.0.1:${port}`, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).endpoints[0].state, 'closed');
    // -o writes the same report to a file, and nothing to stdout.
    const dir = mkdtempSync(join(tmpdir(), 'tw-probe-'));
    const out = join(dir, 'report.json');
    const o = torchward(['probe', `127.0.0.1:${port}`, '--format', 'json', '-o', out]);
    assert.equal(o.code, 0, o.stderr);
    assert.equal(o.stdout, '');
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).endpoints[0].state, 'closed');
    rmSync(dir, { recursive: true, force: true });
    const cidr = torchward([
      'probe',
      '127.0.0.4/30',
      '--port',
      String(port),
      '--format',
      'json',
      '--timeout',
      '0.3',
    ]);
    const report = JSON.parse(cidr.stdout) as { endpoints: { address: string; port: number }[] };
    assert.deepEqual(
      [...new Set(report.endpoints.map((e) => e.address))],
      ['127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'],
    );
    assert.ok(report.endpoints.some((e) => e.port === port));
  });

  it('--timeout and --port are checked (exit 2)', () => {
    assert.equal(torchward(['probe', '127.0.0.1', '--timeout', '0']).code, 2);
    assert.equal(torchward(['probe', '127.0.0.1', '--timeout', 'abc']).code, 2);
    assert.equal(torchward(['probe', '127.0.0.1', '--port', '0']).code, 2);
    assert.equal(torchward(['probe']).code, 2);
    assert.equal(torchward(['probe', '--local', '127.0.0.1']).code, 2);
  });
});

describe('probe: stage C', () => {
  it('a validated store without PING (2.1-era framing, played by a test server) is found by VALIDATE + GETNUMKEYS', async () => {
    // Plays the torch 2.1 legacy daemon as its source reads: a first query that is not VALIDATE
    // closes the connection; after VALIDATE an unknown query type (PING did not exist) closes it;
    // GETNUMKEYS (7) answers an i64.
    const seen: string[] = [];
    const port = await listen(
      createServer((s) => {
        let buffer = Buffer.alloc(0);
        let validated = false;
        s.on('data', (d: Buffer) => {
          buffer = Buffer.concat([buffer, d]);
          seen.push(d.toString('hex'));
          while (buffer.length > 0) {
            if (!validated) {
              if (buffer[0] !== 0x00) return void s.destroy();
              if (buffer.length < 5) return;
              if (buffer.readUInt32LE(1) !== 0x3c85f7ce) return void s.destroy();
              validated = true;
              buffer = buffer.subarray(5);
              continue;
            }
            if (buffer[0] !== 0x07) return void s.destroy();
            const answer = Buffer.alloc(8);
            answer.writeBigInt64LE(3n);
            s.write(answer);
            buffer = buffer.subarray(1);
          }
        });
      }),
    );
    const store = await probeTcpStore('127.0.0.1', port, { timeoutMs: TIMEOUT });
    assert.equal(store.kind, 'tcpstore');
    assert.equal(store.era, 'validated');
    assert.equal(store.backend, 'legacy');
    assert.equal(store.numKeys, 3);
    assert.deepEqual(
      store.stages.map((s) => [s.stage, s.sent, s.end]),
      [
        ['A', '06', 'eof'],
        ['B', '00cef7853c0d1122a55a', 'eof'],
        ['C', '00cef7853c07', 'enough'],
      ],
    );
    assert.deepEqual(seen, ['06', '00cef7853c0d1122a55a', '00cef7853c07']);
  });
});
