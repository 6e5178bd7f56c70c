import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

// `scan --require-signature` on the OpenSSF reference vectors (vendored under test/fixtures/oms).
const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');
const VECTORS = resolve(process.cwd(), 'test', 'fixtures', 'oms', 'model-signing');
const KEY = join(VECTORS, 'keys', 'certificate', 'signing-key-pub.pem');

function scan(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, 'scan', '-f', 'json', ...args], {
    cwd,
    encoding: 'utf8',
  });
  return {
    code: r.status,
    doc: JSON.parse(r.stdout) as {
      files: {
        path: string;
        verdict: string;
        format: string;
        provenance?: { status: string };
        findings: { ruleId: string }[];
      }[];
    },
  };
}

function copyVector(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-sig-'));
  cpSync(join(VECTORS, name), join(dir, 'model'), { recursive: true });
  return dir;
}

describe('scan --require-signature', () => {
  it('accepts a model signed by the trusted key', () => {
    const dir = copyVector('v1.1.0-elliptic-key');
    const r = scan(['--require-signature', '--public-key', KEY, 'model'], dir);
    const sig = r.doc.files.find((f) => f.format === 'oms-signature');
    assert.equal(sig?.provenance?.status, 'valid');
    assert.equal(sig?.verdict, 'safe');
    assert.equal(r.code, 0);
  });

  it('fails a model whose signed file changed', () => {
    const dir = copyVector('v1.1.0-elliptic-key');
    writeFileSync(join(dir, 'model', 'signme-1'), 'tampered');
    const r = scan(['--require-signature', '--public-key', KEY, 'model'], dir);
    const sig = r.doc.files.find((f) => f.format === 'oms-signature');
    assert.equal(sig?.provenance?.status, 'invalid');
    assert.ok(sig?.findings.some((f) => f.ruleId === 'provenance/invalid-signature'));
    assert.equal(r.code, 1);
  });

  it('fails an unsigned model and needs a signer option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-sig-'));
    cpSync(join(process.cwd(), 'examples', 'benign'), join(dir, 'model'), { recursive: true });
    const r = scan(['--require-signature', '--public-key', KEY, 'model'], dir);
    assert.ok(
      r.doc.files.some((f) => f.findings.some((x) => x.ruleId === 'provenance/missing-signature')),
    );
    assert.equal(r.code, 1);
    const usage = spawnSync(process.execPath, [BIN, 'scan', '--require-signature', 'model'], {
      cwd: dir,
    });
    assert.equal(usage.status, 2);
  });

  it('never drops a required signature: the Hub cache is a usage error, not an unsigned pass', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchward-sig-'));
    const r = spawnSync(
      process.execPath,
      [BIN, 'scan', '--require-signature', '--public-key', KEY, '--hf-cache', dir],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /required signature is checked on local paths/);
  });
});
