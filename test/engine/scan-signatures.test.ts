import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SignatureCheck } from '../../src/core/signature-check.js';
import type { FileResult } from '../../src/engine/result.js';
import { scanPaths } from '../../src/engine/scan.js';
import { checkModelSignatures } from '../../src/provenance/policy.js';

// Provenance sits beside the engine: the caller verifies, the scan only judges the results it is
// handed. These checks are made by hand for a folder that has no signature at all, so any verdict
// the engine reports can only come from the checks given, never from a verification of its own.

const root = mkdtempSync(join(tmpdir(), 'torchward-scan-sig-'));
const model = join(root, 'model');
mkdirSync(model);
copyFileSync(
  join(process.cwd(), 'examples/benign/model.safetensors'),
  join(model, 'w.safetensors'),
);
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function check(status: SignatureCheck['status']): SignatureCheck {
  return {
    model: 'model',
    ok: status === 'valid',
    status,
    problems: status === 'valid' ? [] : [`${status}: made by hand`],
    signaturePath: join(model, 'model.sig'),
    ...(status === 'valid' ? { signer: 'key sha256:test' } : {}),
  };
}

function signatureEntry(files: readonly FileResult[]): FileResult[] {
  return files.filter((f) => f.format === 'oms-signature');
}

describe('scanPaths({ signatures }): the engine judges checks its caller ran', () => {
  it('reports each check on its signature file, judged by the provenance rules', async () => {
    for (const [status, rule, verdict] of [
      ['valid', undefined, 'safe'],
      ['missing', 'provenance/missing-signature', 'suspicious'],
      ['invalid', 'provenance/invalid-signature', 'suspicious'],
    ] as const) {
      const report = await scanPaths(['model'], { cwd: root, signatures: [check(status)] });
      const [entry, ...more] = signatureEntry(report.files);
      assert.equal(more.length, 0);
      assert.equal(
        entry?.path,
        join(model, 'model.sig')
          .slice(root.length + 1)
          .split('\\')
          .join('/'),
      );
      assert.equal(entry?.verdict, verdict, status);
      assert.equal(entry?.provenance?.status, status);
      assert.deepEqual(
        entry?.findings.map((f) => f.ruleId),
        rule === undefined ? [] : [rule],
      );
    }
  });

  it('verifies nothing itself: without checks there is no signature entry', async () => {
    const report = await scanPaths(['model'], { cwd: root });
    assert.deepEqual(signatureEntry(report.files), []);
  });

  it('takes the results of checkModelSignatures as they are', async () => {
    const checks = await checkModelSignatures([model], { publicKey: join(root, 'none.pem') });
    assert.equal(checks[0]?.status, 'missing');
    const report = await scanPaths([model], { signatures: checks });
    const [entry] = signatureEntry(report.files);
    assert.ok(entry !== undefined);
    assert.equal(entry.verdict, 'suspicious');
  });
});
