import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scanPaths } from '../../src/engine/scan.js';
import { sarifErrors } from '../helpers/sarif-schema.js';

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');

function scan(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'scan', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonFile {
  path: string;
  format: string;
  verdict: null | string;
  findings: { ruleId: string; suppressed?: string }[];
}

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-deploy-'));
  mkdirSync(join(dir, 'k8s'));
  mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
  writeFileSync(
    join(dir, 'k8s', 'train.yaml'),
    [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: master',
      'spec:',
      '  type: NodePort',
      '  ports:',
      '    - port: 29500',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: rdzv',
      'spec:',
      '  type: LoadBalancer',
      '  ports:',
      '    # torchward: ignore[deploy/distributed-port-exposed] internal load balancer',
      '    - port: 29400',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'k8s', 'broken.yaml'),
    'apiVersion: v1\nkind: Service\nspec:\n  type: ClusterIP\n  type: NodePort\n',
  );
  // A Helm template is not plain YAML: it is left out, not reported as malformed.
  writeFileSync(
    join(dir, 'chart', 'templates', 'svc.yaml'),
    'apiVersion: v1\nkind: Service\nspec:\n  type: {{ .Values.service.type }}\n',
  );
  writeFileSync(
    join(dir, 'chart', 'values.yaml'),
    'service:\n  type: LoadBalancer\n  port: 29500\n',
  );
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM python:3.11\nCMD ["tensorboard", "--logdir", "/logs", "--bind_all"]\n',
  );
  writeFileSync(
    join(dir, 'run.sbatch'),
    '#!/bin/bash\n#SBATCH -N 2\nsrun torchrun --nnodes 2 train.py\n',
  );
  writeFileSync(join(dir, 'notes.yaml'), 'just: data\n');
  return dir;
}

describe('scan: deployment files', () => {
  it('routes manifests, values, Dockerfiles and scripts to the deploy audit, with suppressions', () => {
    const dir = repo();
    const r = scan(dir, ['--format', 'json', '.']);
    assert.equal(r.code, 1, r.stderr);
    const files = (JSON.parse(r.stdout) as { files: JsonFile[] }).files;
    const byPath = new Map(files.map((f) => [f.path.replace(/^\.\//, ''), f]));
    assert.equal(byPath.get('k8s/train.yaml')?.format, 'kubernetes');
    assert.equal(byPath.get('k8s/train.yaml')?.verdict, null);
    assert.deepEqual(
      byPath.get('k8s/train.yaml')?.findings.map((f) => [f.ruleId, f.suppressed ?? '']),
      [
        ['deploy/distributed-port-exposed', ''],
        ['deploy/distributed-port-exposed', 'inline'],
      ],
    );
    assert.deepEqual(
      byPath.get('k8s/broken.yaml')?.findings.map((f) => f.ruleId),
      ['deploy/malformed-input'],
    );
    assert.equal(byPath.get('chart/values.yaml')?.format, 'helm-values');
    assert.deepEqual(
      byPath.get('chart/values.yaml')?.findings.map((f) => f.ruleId),
      ['deploy/distributed-port-exposed'],
    );
    assert.equal(byPath.has('chart/templates/svc.yaml'), false);
    assert.deepEqual(
      byPath.get('Dockerfile')?.findings.map((f) => f.ruleId),
      ['deploy/unauthenticated-service'],
    );
    assert.equal(byPath.get('run.sbatch')?.format, 'shell');
    assert.deepEqual(byPath.get('run.sbatch')?.findings, []);
    // Plain YAML that is not a deployment file is not audited as one.
    assert.equal(byPath.get('notes.yaml')?.format === 'kubernetes', false);
  });

  it('honours configured ignores and writes valid SARIF', () => {
    const dir = repo();
    writeFileSync(
      join(dir, 'torchward.yml'),
      'ignore:\n  deploy/unauthenticated-service:\n    - Dockerfile\n',
    );
    const r = scan(dir, ['--format', 'sarif', '.']);
    assert.equal(r.code, 1, r.stderr);
    const log = JSON.parse(r.stdout) as {
      runs: { results: { ruleId: string; suppressions?: unknown[] }[] }[];
    };
    assert.deepEqual(sarifErrors(log), []);
    const results = log.runs[0]?.results ?? [];
    const tensorboard = results.filter((x) => x.ruleId === 'deploy/unauthenticated-service');
    assert.equal(tensorboard.length, 1);
    assert.ok((tensorboard[0]?.suppressions?.length ?? 0) > 0);
  });

  it('a clean manifest named on the command line exits 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-deploy-'));
    writeFileSync(
      join(dir, 'svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: m\nspec:\n  clusterIP: None\n  ports:\n    - port: 29500\n',
    );
    const r = scan(dir, ['svc.yaml']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('warns about ignore comments that name no rule, once per comment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-deploy-'));
    writeFileSync(
      join(dir, 'svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: m\nspec:\n  type: NodePort\n  ports:\n    # torchward: ignore[deploy/distributed-port-exposd] typo\n    - port: 29500\n',
    );
    // Read by the code and the deploy audits: ids of both families are known, and a typo is
    // reported once, not by each audit.
    writeFileSync(
      join(dir, 'Dockerfile'),
      [
        'FROM python:3.12',
        '# torchward: ignore[deploy/unauthenticated-service] known deploy id',
        '# torchward: ignore[code/unverified-install] known code id',
        '# torchward: ignore[code/unverifed-install] typo',
        'EXPOSE 6006',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'job.slurm'),
      '#!/bin/bash\n# torchward: ignore[no-netork-policy]\ntrue\n',
    );
    writeFileSync(join(dir, 'train.py'), 'import torch  # torchward: ignore[code/remote-cod]\n');
    const warnings: string[] = [];
    await scanPaths([dir], { cwd: dir, onWarning: (m) => warnings.push(m) });
    // Each warning starts `<uri>:<line>:`; keep the file name onward.
    const lines = warnings.map((w) => w.slice(w.lastIndexOf('/', w.indexOf(':')) + 1)).sort();
    assert.equal(lines.length, 4, warnings.join('\n'));
    assert.match(
      lines[0] ?? '',
      /^Dockerfile:4: .*'code\/unverifed-install', not a code or deploy rule \(did you mean 'code\/unverified-install'\?\)/,
    );
    assert.match(
      lines[1] ?? '',
      /^job\.slurm:2: .*'no-netork-policy', not a deploy rule \(did you mean 'no-network-policy'\?\)/,
    );
    assert.match(
      lines[2] ?? '',
      /^svc\.yaml:8: .*'deploy\/distributed-port-exposd', not a deploy rule \(did you mean 'deploy\/distributed-port-exposed'\?\)/,
    );
    assert.match(
      lines[3] ?? '',
      /^train\.py:1: .*'code\/remote-cod', not a code rule \(did you mean 'code\/remote-code'\?\)/,
    );
  });
});
