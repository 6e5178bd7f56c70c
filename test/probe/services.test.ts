// HTTP identification on the services' default ports and `probe --local`, each in its own network
// namespace so the fixed ports (8265, 8081, 8888, 5000, 6006, 29500) are free and wildcard
// listeners reach nothing outside it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runInNetns, shellQuote } from '../helpers/netns.js';
import { sarifErrors } from '../helpers/sarif-schema.js';
import { torch2Python } from '../helpers/torch2.js';

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');
const SERVICES = join(process.cwd(), 'test', 'fixtures', 'distributed', 'ml-services.mjs');

interface Endpoint {
  address: string;
  port: number;
  service: string;
  state: string;
  unauthenticatedRead: boolean | null;
  severity?: string;
  version?: string;
  request?: string;
  listener?: { bound: string; pid?: number; command?: string };
  torchEra?: string;
}

/** Starts ml-services.mjs with `specs` in a namespace, waits for it, then runs `then`. */
function withServices(
  specs: string[],
  then: string,
): { status: number | null; stdout: string; stderr: string; requests: string } {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-svc-'));
  const ready = join(dir, 'ready');
  const q = shellQuote;
  const script = [
    `${q(process.execPath)} ${q(SERVICES)} ${q(ready)} ${specs.map(q).join(' ')} &`,
    'SVC=$!',
    `i=0; while [ ! -f ${q(ready)} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`,
    `${then}; rc=$?`,
    'kill -TERM $SVC; wait $SVC',
    `echo; echo "@@requests"; cat ${q(`${ready}.requests`)}`,
    'exit $rc',
  ].join('\n');
  const r = runInNetns(script);
  const [stdout = '', requests = '[]'] = r.stdout.split('\n@@requests\n');
  return { status: r.status, stdout, stderr: r.stderr, requests };
}

describe('probe: HTTP services on their default ports', () => {
  it('names each service from one read-only GET and says it served an unauthenticated read', () => {
    const r = withServices(
      [
        'ray@127.0.0.1:8265',
        'torchserve@127.0.0.1:8081',
        'jupyter@127.0.0.1:8888',
        'mlflow@127.0.0.1:5000',
        'tensorboard@127.0.0.1:6006',
      ],
      `${shellQuote(process.execPath)} ${shellQuote(BIN)} probe 127.0.0.1 --format json`,
    );
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { endpoints: Endpoint[] };
    const byPort = new Map(report.endpoints.map((e) => [e.port, e]));
    assert.equal(byPort.get(29500)?.state, 'closed');
    assert.equal(byPort.get(29400)?.state, 'closed');
    const expect: [number, string, string][] = [
      [8265, 'ray-dashboard', 'critical'],
      [8081, 'torchserve-management', 'high'],
      [8888, 'jupyter', 'critical'],
      [5000, 'mlflow', 'high'],
      [6006, 'tensorboard', 'medium'],
    ];
    for (const [port, service, severity] of expect) {
      const e = byPort.get(port);
      assert.equal(e?.service, service, String(port));
      assert.equal(e.unauthenticatedRead, true, service);
      assert.equal(e.severity, severity, service);
    }
    assert.equal(byPort.get(8265)?.version, '2.9.3');
    // Exactly one GET per service, each to its identifying endpoint, nothing else.
    assert.deepEqual(JSON.parse(r.requests), [
      'ray GET /api/version',
      'torchserve GET /models',
      'jupyter GET /api/status',
      'mlflow GET /api/2.0/mlflow/experiments/search?max_results=1',
      'tensorboard GET /data/environment',
    ]);
  });

  it('services that ask for credentials are named, at info, and pass --fail-on low', () => {
    const r = withServices(
      [
        'torchserve-auth@127.0.0.1:8081',
        'jupyter-auth@127.0.0.1:8888',
        'mlflow-auth@127.0.0.1:5000',
      ],
      `${shellQuote(process.execPath)} ${shellQuote(BIN)} probe 127.0.0.1 --format json`,
    );
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { endpoints: Endpoint[] };
    const named = report.endpoints.filter((e) => e.state === 'answered');
    assert.deepEqual(
      named.map((e) => [e.service, e.unauthenticatedRead, e.severity]),
      [
        ['torchserve-management', false, 'info'],
        ['jupyter', false, 'info'],
        ['mlflow', false, 'info'],
      ],
    );
  });

  it('writes valid SARIF 2.1.0 with one result per exposed service', () => {
    const r = withServices(
      ['ray@127.0.0.1:8265', 'tensorboard@127.0.0.1:6006'],
      `${shellQuote(process.execPath)} ${shellQuote(BIN)} probe 127.0.0.1 --format sarif`,
    );
    assert.equal(r.status, 1, r.stderr);
    const log = JSON.parse(r.stdout) as {
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string } };
            logicalLocations: { fullyQualifiedName: string }[];
          }[];
        }[];
      }[];
    };
    assert.deepEqual(sarifErrors(log), []);
    const results = log.runs[0]?.results ?? [];
    assert.deepEqual(
      results.map((x) => [
        x.ruleId,
        x.locations[0]?.physicalLocation.artifactLocation.uri,
        x.locations[0]?.logicalLocations[0]?.fullyQualifiedName,
      ]),
      [
        ['probe/unauthenticated-service', 'probe/127.0.0.1_8265', 'tcp://127.0.0.1:8265'],
        ['probe/unauthenticated-service', 'probe/127.0.0.1_6006', 'tcp://127.0.0.1:6006'],
      ],
    );
  });
});

describe('probe --local', () => {
  it('reports wildcard-bound ML listeners with their owner and probes them on loopback; loopback-bound ones stay out', () => {
    const store = [
      'import datetime, time',
      'from torch.distributed import TCPStore',
      "s = TCPStore('127.0.0.1', 29500, 1, True, datetime.timedelta(seconds=30))",
      "s.set('k', 'v')",
      'time.sleep(60)',
    ].join('\n');
    const q = shellQuote;
    const r = withServices(
      ['tensorboard@0.0.0.0:6006', 'jupyter@127.0.0.1:8888'],
      [
        `${q(torch2Python())} -c ${q(store)} &`,
        'STORE=$!',
        // The store listens once its constructor returns; give it up to 60 s on a busy machine.
        `i=0; while ! ${q(process.execPath)} -e "require('net').connect(29500,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done`,
        `${q(process.execPath)} ${q(BIN)} probe --local --format json; rc=$?`,
        'kill $STORE',
        '(exit $rc)',
      ].join('\n'),
    );
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { endpoints: Endpoint[] };
    assert.deepEqual(
      report.endpoints.map((e) => [e.port, e.service]),
      [
        [6006, 'tensorboard'],
        [29500, 'tcpstore'],
      ],
    );
    const store29500 = report.endpoints.find((e) => e.port === 29500);
    assert.equal(store29500?.torchEra, 'ping');
    assert.match(store29500?.listener?.bound ?? '', /^(0\.0\.0\.0|\[::\]):29500$/);
    assert.match(store29500?.listener?.command ?? '', /python/);
    assert.equal(typeof store29500?.listener?.pid, 'number');
  });
});
