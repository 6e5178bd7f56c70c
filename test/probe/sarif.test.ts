import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderProbeSarif } from '../../src/cli/render-sarif.js';
import type { ProbeReport } from '../../src/probe/run.js';
import { githubSarifProblems } from '../helpers/github-sarif.js';
import { sarifErrors } from '../helpers/sarif-schema.js';

// A report as probeTargets returns it (the live exchange is covered by services.test.ts).
const REPORT: ProbeReport = {
  version: 1,
  tool: { name: 'torchward', version: '0.0.0-test' },
  timeoutMs: 1000,
  durationMs: 12,
  problems: [],
  endpoints: [
    {
      target: '127.0.0.1',
      address: '127.0.0.1',
      port: 29500,
      service: 'tcpstore',
      state: 'answered',
      torchEra: 'validated',
      unauthenticatedRead: true,
      severity: 'critical',
      policy: 'Bind the store to a private interface.',
      detail: 'TCPStore answered a GET',
    },
    {
      target: '::1',
      address: '::1',
      port: 8265,
      service: 'ray-dashboard',
      state: 'answered',
      unauthenticatedRead: true,
      severity: 'high',
      detail: 'GET /api/version answered 200',
    },
    {
      target: '127.0.0.1',
      address: '127.0.0.1',
      port: 6006,
      service: 'none',
      state: 'closed',
      unauthenticatedRead: null,
      detail: 'connection refused',
    },
  ],
};

interface Log {
  runs: {
    tool: { driver: { rules: { id: string; helpUri?: string }[] } };
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
        logicalLocations: { fullyQualifiedName: string }[];
      }[];
      properties: Record<string, unknown>;
    }[];
  }[];
}

describe('probe SARIF through the scan renderer', () => {
  it('gives one result per endpoint with a severity, valid and as GitHub code scanning wants it', () => {
    const log = JSON.parse(renderProbeSarif(REPORT)) as Log;
    assert.deepEqual(sarifErrors(log), []);
    assert.deepEqual(githubSarifProblems(log), []);
    const run = log.runs[0];
    assert.deepEqual(
      run?.tool.driver.rules.map((r) => r.id),
      ['probe/exposed-distributed-endpoint', 'probe/unauthenticated-service'],
    );
    assert.deepEqual(
      run?.results.map((r) => [
        r.ruleId,
        r.level,
        r.locations[0]?.physicalLocation.artifactLocation.uri,
        r.locations[0]?.physicalLocation.region.startLine,
        r.locations[0]?.logicalLocations[0]?.fullyQualifiedName,
        r.properties.endpoint,
        r.properties.service,
      ]),
      [
        [
          'probe/exposed-distributed-endpoint',
          'error',
          'probe/127.0.0.1_29500',
          1,
          'tcp://127.0.0.1:29500',
          'tcp://127.0.0.1:29500',
          'tcpstore',
        ],
        [
          'probe/unauthenticated-service',
          'error',
          'probe/__1_8265',
          1,
          'tcp://[::1]:8265',
          'tcp://[::1]:8265',
          'ray-dashboard',
        ],
      ],
    );
    assert.equal(
      run?.results[0]?.message.text,
      '127.0.0.1:29500: TCPStore answered a GET. Bind the store to a private interface.',
    );
    assert.equal(run?.results[0]?.properties.torchEra, 'validated');
    assert.equal(run?.results[0]?.properties['security-severity'], '9.5');
  });
});
