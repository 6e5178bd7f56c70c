import assert from 'node:assert/strict';
import { appendFileSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkModelSignature } from '../../src/provenance/policy.js';
import invalidSignature from '../../src/rules/provenance/invalid-signature.js';
import missingSignature from '../../src/rules/provenance/missing-signature.js';
import { provenanceRules } from '../../src/rules/provenance/index.js';
import type { Finding } from '../../src/core/finding.js';
import { type Rule } from '../../src/rules/define-rule.js';
import { runRules } from '../helpers/run-rules.js';
import type { SignatureCheck } from '../../src/provenance/policy.js';
import {
  IDENTITY,
  ISSUER,
  KEYS,
  VECTORS,
  copyVector,
  npmTrustedRoot,
  tempDir,
  trustedRootFile,
} from './helpers.js';

/** Runs one rule as the engine does; a rule that throws fails the test. */
function runRule(rule: Rule<SignatureCheck>, input: SignatureCheck, uri = 'model'): Finding[] {
  return runRules([rule], input, { uri, unit: 'byte', options: {} }, (id, error) => {
    assert.fail(`rule ${id} threw: ${String(error)}`);
  });
}

const PUB = join(KEYS, 'signing-key-pub.pem');
const ROOT = npmTrustedRoot();

describe('checkModelSignature (scan --require-signature)', () => {
  it('valid with the right key; names the signer', async () => {
    const dir = copyVector('v1.1.0-elliptic-key');
    const check = await checkModelSignature(dir, { publicKey: PUB });
    assert.equal(check.status, 'valid');
    assert.equal(check.ok, true);
    assert.match(check.signer ?? '', /^key sha256:e8450dec/);
    assert.deepEqual(runRule(invalidSignature, check), []);
    assert.deepEqual(runRule(missingSignature, check), []);
  });

  it('valid with a certificate chain and, offline, with a Sigstore identity', async () => {
    const pki = await checkModelSignature(copyVector('v1.1.0-certificate'), {
      certificateChain: [join(KEYS, 'ca-cert.pem')],
    });
    assert.equal(pki.status, 'valid');
    if (ROOT === undefined) return;
    const keyless = await checkModelSignature(copyVector('v1.1.0-sigstore'), {
      identity: IDENTITY,
      identityProvider: ISSUER,
      trustConfig: trustedRootFile(ROOT),
    });
    assert.equal(keyless.status, 'valid', keyless.problems.join('; '));
  });

  it('missing: no model.sig → one provenance/missing-signature finding', async () => {
    const dir = copyVector('v1.1.0-elliptic-key');
    rmSync(join(dir, 'model.sig'));
    const check = await checkModelSignature(dir, { publicKey: PUB });
    assert.equal(check.status, 'missing');
    const findings = runRule(missingSignature, check, 'v1.1.0-elliptic-key');
    assert.deepEqual(
      findings.map((f) => [f.ruleId, f.messageId, f.verdict, f.message]),
      [
        [
          'provenance/missing-signature',
          'missing',
          'suspicious',
          `No model signature at \`${join(dir, 'model.sig')}\`; the policy requires a signed model.`,
        ],
      ],
    );
    assert.deepEqual(runRule(invalidSignature, check), []);
  });

  it('invalid: a tampered file and an added file → one finding per problem', async () => {
    const dir = copyVector('v1.1.0-elliptic-key');
    appendFileSync(join(dir, 'signme-2'), '!');
    writeFileSync(join(dir, 'extra.pkl'), 'x');
    const check = await checkModelSignature(dir, { publicKey: PUB });
    assert.equal(check.status, 'invalid');
    assert.deepEqual(check.problems, [
      'UNSIGNED_FILE: file is not covered by the signature: extra.pkl',
      'DIGEST_MISMATCH: file changed since signing: signme-2',
    ]);
    const findings = runRule(invalidSignature, check);
    assert.deepEqual(
      findings.map((f) => [f.messageId, f.verdict, f.primary.path]),
      [
        ['invalid', 'suspicious', ['signature', 'problems', 0]],
        ['invalid', 'suspicious', ['signature', 'problems', 1]],
      ],
    );
    const allowed = await checkModelSignature(dir, { publicKey: PUB, ignoreUnsignedFiles: true });
    assert.deepEqual(allowed.problems, ['DIGEST_MISMATCH: file changed since signing: signme-2']);
  });

  it('invalid: no trust material configured, or an unreadable key file', async () => {
    const dir = copyVector('v1.1.0-elliptic-key');
    const none = await checkModelSignature(dir, {});
    assert.equal(none.status, 'invalid');
    assert.match(none.problems[0] ?? '', /^NO_TRUST_MATERIAL/);
    const unreadable = await checkModelSignature(dir, { publicKey: join(tempDir(), 'nope.pem') });
    assert.equal(unreadable.status, 'invalid');
  });

  it('finds model.sig beside a single-file model, or an explicit --signature', async () => {
    const dir = copyVector('v1.0.0-elliptic-key');
    const check = await checkModelSignature(join(dir, 'signme-1'), { publicKey: PUB });
    assert.equal(check.signaturePath, join(dir, 'model.sig'));
    assert.equal(check.status, 'valid');
    const elsewhere = join(tempDir(), 'sig.json');
    cpSync(join(VECTORS, 'v1.0.0-elliptic-key', 'model.sig'), elsewhere);
    rmSync(join(dir, 'model.sig'));
    const explicit = await checkModelSignature(join(dir, 'signme-1'), {
      publicKey: PUB,
      signature: elsewhere,
    });
    assert.equal(explicit.status, 'valid');
  });

  it('exports the rules sorted by id, with target provenance and verdict suspicious', () => {
    assert.deepEqual(
      provenanceRules.map((r) => [r.id, r.target, r.verdict, r.docs]),
      [
        [
          'provenance/invalid-signature',
          'provenance',
          'suspicious',
          'docs/rules/provenance/invalid-signature.md',
        ],
        [
          'provenance/missing-signature',
          'provenance',
          'suspicious',
          'docs/rules/provenance/missing-signature.md',
        ],
      ],
    );
  });
});
