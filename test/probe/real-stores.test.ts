// The probe against real TCPStores: torch 1.13 (Debian's python3-torch, no handshake), torch 2.13
// with its libuv and its legacy backend, and a real torchrun job on the c10d rendezvous. After each
// probe the store's keys and values must be unchanged and the job must still run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runInNetns, shellQuote } from '../helpers/netns.js';
import { torch2Env, torch2Python } from '../helpers/torch2.js';

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'distributed');
const PROBE = [process.execPath, BIN, 'probe', '127.0.0.1:{PORT}', '--format', 'json'];

interface StoreRun {
  torch: string;
  before: { num_keys: number; values: Record<string, string> };
  after: { num_keys: number; values: Record<string, string> };
  stillWorks: boolean;
  probe: { status: number; stdout: string; stderr: string };
}

interface Endpoint {
  service: string;
  state: string;
  torchEra?: string;
  backend?: string;
  numKeys?: number;
  unauthenticatedRead: boolean | null;
  severity?: string;
  policy?: string;
  stages: { stage: string; sent: string; end: string; received: string }[];
}

function parseRun(stdout: string, stderr: string): StoreRun {
  try {
    return JSON.parse(stdout) as StoreRun;
  } catch {
    throw new Error(`harness failed:\n${stdout}\n${stderr.slice(-4000)}`);
  }
}

function onlyEndpoint(run: {
  probe: { status: number; stdout: string; stderr: string };
}): Endpoint {
  assert.equal(run.probe.status, 1, run.probe.stderr);
  const report = JSON.parse(run.probe.stdout) as { version: number; endpoints: Endpoint[] };
  assert.equal(report.version, 1);
  assert.equal(report.endpoints.length, 1);
  return report.endpoints[0]!;
}

function assertUnchanged(run: StoreRun): void {
  assert.deepEqual(run.after, run.before, 'the probe changed the store');
  assert.equal(run.stillWorks, true, 'the store no longer serves its clients');
}

describe('probe against real TCPStores', () => {
  it('torch 1.13: stage A alone (pre-2.1 GETNUMKEYS) names a store without a handshake', () => {
    // torch 1.13 binds every interface whatever host it is given: it runs in its own namespace.
    const script = ['/usr/bin/python3', join(FIXTURES, 'store_harness.py'), '113', '--', ...PROBE]
      .map(shellQuote)
      .join(' ');
    const r = runInNetns(script);
    const run = parseRun(r.stdout, r.stderr);
    assert.match(run.torch, /^1\.13/);
    assertUnchanged(run);
    const e = onlyEndpoint(run);
    assert.equal(e.service, 'tcpstore');
    assert.equal(e.torchEra, 'pre-2.1');
    assert.equal(e.unauthenticatedRead, true);
    assert.equal(e.numKeys, run.before.num_keys);
    assert.equal(e.severity, 'critical');
    assert.match(e.policy ?? '', /no authorization protocol/);
    // Only stage A ran: the bytes sent were exactly `06`, the answer the i64 key count.
    assert.deepEqual(
      e.stages.map((s) => [s.stage, s.sent]),
      [['A', '06']],
    );
    assert.equal(e.stages[0]?.received, `0${run.before.num_keys}00000000000000`);
  });

  for (const backend of ['libuv', 'legacy'] as const) {
    it(`torch 2.13 (${backend} backend, bound to 127.0.0.1): VALIDATE + PING, then GETNUMKEYS`, () => {
      const r = spawnSync(
        torch2Python(),
        [join(FIXTURES, 'store_harness.py'), backend, '--', ...PROBE],
        { encoding: 'utf8', env: torch2Env(), timeout: 180_000 },
      );
      const run = parseRun(r.stdout, r.stderr);
      assert.match(run.torch, /^2\.13/);
      assertUnchanged(run);
      const e = onlyEndpoint(run);
      assert.equal(e.service, 'tcpstore');
      assert.equal(e.torchEra, 'ping');
      // Stage A tells the backends apart: legacy closes on a first query that is not VALIDATE,
      // libuv ignores it (silence until the time box).
      assert.equal(e.backend, backend);
      assert.equal(e.stages[0]?.end, backend === 'libuv' ? 'timeout' : 'eof');
      assert.equal(e.stages[0]?.received, '');
      assert.equal(e.stages[1]?.sent, '00cef7853c0d1122a55a07');
      assert.equal(e.stages[1]?.received.slice(0, 8), '1122a55a');
      assert.equal(e.numKeys, run.before.num_keys);
      assert.equal(e.unauthenticatedRead, true);
      assert.equal(e.stages.length, 2);
    });
  }

  it('torch 2.13 torchrun --rdzv-backend=c10d: the rendezvous store is found, its state kept, the job finishes', () => {
    const work = mkdtempSync(join(tmpdir(), 'torchward-rdzv-'));
    const script = [torch2Python(), join(FIXTURES, 'rdzv_harness.py'), work, '--', ...PROBE]
      .map(shellQuote)
      .join(' ');
    const r = runInNetns(script, torch2Env());
    const run = JSON.parse(r.stdout || '{}') as {
      before: unknown;
      after: unknown;
      jobStatus: number;
      results: string[];
      probe: { status: number; stdout: string; stderr: string };
    };
    assert.ok(run.probe !== undefined, `harness failed: ${r.stdout}\n${r.stderr.slice(-4000)}`);
    assert.deepEqual(run.after, run.before, 'the probe changed the rendezvous state');
    // Both ranks all-reduced 1 + 2 after the probe: the job still ran.
    assert.equal(run.jobStatus, 0);
    assert.deepEqual(run.results, ['3.0', '3.0']);
    const e = onlyEndpoint(run);
    assert.equal(e.service, 'tcpstore');
    assert.equal(e.torchEra, 'ping');
    assert.equal(e.unauthenticatedRead, true);
  });
});
