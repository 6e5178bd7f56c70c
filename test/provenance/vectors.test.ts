import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { verifyModel, type VerifyOptions } from '../../src/provenance/verify.js';
import {
  IDENTITY,
  ISSUER,
  KEYS,
  VECTOR_CASES,
  copyVector,
  npmTrustedRoot,
  readText,
  tempDir,
} from './helpers.js';

const TRUSTED_ROOT = npmTrustedRoot();
// @sigstore/tuf is a devDependency, so a missing trust root is a broken install: never skip.
if (TRUSTED_ROOT === undefined) throw new Error('no @sigstore/tuf seeds.json: run npm ci');

type Case = (typeof VECTOR_CASES)[number];

function optionsFor(c: Case, dir: string): VerifyOptions {
  const base = {
    signaturePath: join(dir, 'model.sig'),
    limits: DEFAULT_LIMITS,
    ignorePaths: c.ignorePaths,
  };
  switch (c.kind) {
    case 'elliptic-key':
      return { ...base, publicKey: readText(join(KEYS, 'signing-key-pub.pem')) };
    case 'certificate':
      return { ...base, certificateChain: [readText(join(KEYS, 'ca-cert.pem'))] };
    case 'sigstore':
      return { ...base, identity: IDENTITY, identityProvider: ISSUER, trustedRoot: TRUSTED_ROOT };
  }
}

function modelOf(c: Case, dir: string): string {
  return c.modelFile === undefined ? dir : join(dir, c.modelFile);
}

describe('OMS interoperability vectors (sigstore/model-transparency)', () => {
  for (const c of VECTOR_CASES) {
    describe(c.name, () => {
      it('verifies with its key, chain or identity', async () => {
        const dir = copyVector(c.name);
        const result = await verifyModel(modelOf(c, dir), optionsFor(c, dir));
        assert.deepEqual(result.problems, []);
        assert.equal(result.ok, true);
        assert.equal(
          result.method,
          c.kind === 'elliptic-key' ? 'key' : c.kind === 'certificate' ? 'certificate' : 'sigstore',
        );
        assert.ok(result.checkedFiles >= 1);
      });

      it('fails when a signed file changes', async () => {
        const dir = copyVector(c.name);
        appendFileSync(join(dir, 'signme-1'), 'x');
        const result = await verifyModel(modelOf(c, dir), optionsFor(c, dir));
        assert.equal(result.ok, false);
        assert.deepEqual(
          result.problems.map((p) => [p.code, p.path]),
          [['DIGEST_MISMATCH', 'signme-1']],
        );
      });

      if (c.modelFile === undefined) {
        it('fails when a signed file is removed', async () => {
          const dir = copyVector(c.name);
          rmSync(join(dir, 'signme-2'));
          const result = await verifyModel(dir, optionsFor(c, dir));
          assert.deepEqual(
            result.problems.map((p) => [p.code, p.path]),
            [['MISSING_FILE', 'signme-2']],
          );
        });

        it('fails when an unsigned file is added, unless unsigned files are allowed', async () => {
          const dir = copyVector(c.name);
          writeFileSync(join(dir, 'added.pt'), 'new');
          const result = await verifyModel(dir, optionsFor(c, dir));
          assert.deepEqual(
            result.problems.map((p) => [p.code, p.path]),
            [['UNSIGNED_FILE', 'added.pt']],
          );
          const allowed = await verifyModel(dir, {
            ...optionsFor(c, dir),
            ignoreUnsignedFiles: true,
          });
          assert.equal(allowed.ok, true);
        });
      }

      it('fails when the payload is altered (signature no longer matches)', async () => {
        const dir = copyVector(c.name);
        const sigPath = join(dir, 'model.sig');
        const bundle = JSON.parse(readFileSync(sigPath, 'utf8')) as {
          dsseEnvelope: { payload: string };
        };
        const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
        bundle.dsseEnvelope.payload = Buffer.from(
          payload.replace(/"name": "([^"]+)"/, '"name": "$1x"'),
        ).toString('base64');
        writeFileSync(sigPath, JSON.stringify(bundle));
        const result = await verifyModel(modelOf(c, dir), optionsFor(c, dir));
        assert.equal(result.ok, false);
        assert.equal(result.problems[0]?.code, 'SIGNATURE_INVALID');
      });
    });
  }

  it('v1.1.0 re-applies the ignore paths it records (ignore-me may change)', async () => {
    const dir = copyVector('v1.1.0-elliptic-key');
    writeFileSync(join(dir, 'ignore-me'), 'changed');
    const c = VECTOR_CASES.find((v) => v.name === 'v1.1.0-elliptic-key');
    assert.ok(c !== undefined);
    assert.equal((await verifyModel(dir, optionsFor(c, dir))).ok, true);
  });

  it('v1.0.1 does not record ignore-me: without --ignore-paths it is an unsigned file', async () => {
    const dir = copyVector('v1.0.1-elliptic-key');
    const result = await verifyModel(dir, {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      publicKey: readText(join(KEYS, 'signing-key-pub.pem')),
    });
    assert.deepEqual(problemCodes(result), ['UNSIGNED_FILE']);
  });

  it('rejects a key bundle with another public key', async () => {
    const dir = copyVector('v1.1.0-elliptic-key');
    const other = tempDir();
    const { generateKeyPairSync } = await import('node:crypto');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    writeFileSync(join(other, 'pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const result = await verifyModel(dir, {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      publicKey: readText(join(other, 'pub.pem')),
    });
    assert.deepEqual(problemCodes(result), ['KEY_MISMATCH']);
  });

  it('rejects a pre-1.1 key bundle (embedded PEM) with another public key', async () => {
    const dir = copyVector('v1.0.1-elliptic-key');
    const { generateKeyPairSync } = await import('node:crypto');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const result = await verifyModel(dir, {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      ignorePaths: ['ignore-me'],
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    assert.deepEqual(problemCodes(result), ['KEY_MISMATCH']);
  });

  it('rejects a certificate bundle whose chain does not reach the given root', async () => {
    const dir = copyVector('v1.1.0-certificate');
    const result = await verifyModel(dir, {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      // The intermediate's own issuer is missing: with only an unrelated root nothing chains.
      certificateChain: [readText(otherCertificate())],
    });
    assert.deepEqual(problemCodes(result), ['UNTRUSTED_CERTIFICATE']);
  });

  it('accepts the intermediate as the trust anchor too', async () => {
    const dir = copyVector('v1.1.0-certificate');
    const result = await verifyModel(dir, {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      certificateChain: [readText(join(KEYS, 'int-ca-cert.pem'))],
    });
    assert.equal(result.ok, true);
  });

  it('rejects a keyless bundle signed by another identity or issuer', async () => {
    const dir = copyVector('v1.1.0-sigstore');
    const base = {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      trustedRoot: TRUSTED_ROOT,
    };
    const wrongId = await verifyModel(dir, {
      ...base,
      identity: 'someone@example.com',
      identityProvider: ISSUER,
    });
    assert.deepEqual(problemCodes(wrongId), ['IDENTITY_MISMATCH']);
    // The identity is compared exactly, not as a regular expression.
    const pattern = await verifyModel(dir, {
      ...base,
      identity: 'stefanb@us.ibm.co.',
      identityProvider: ISSUER,
    });
    assert.deepEqual(problemCodes(pattern), ['IDENTITY_MISMATCH']);
    const wrongIssuer = await verifyModel(dir, {
      ...base,
      identity: IDENTITY,
      identityProvider: 'https://accounts.google.com',
    });
    assert.deepEqual(problemCodes(wrongIssuer), ['IDENTITY_MISMATCH']);
  });

  it('rejects a keyless bundle when the trusted root lacks its Fulcio CA', async () => {
    const dir = copyVector('v1.1.0-sigstore');
    const root = structuredClone(TRUSTED_ROOT) as { certificateAuthorities: unknown[] };
    root.certificateAuthorities = [];
    const result = await verifyModel(dir, {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      trustedRoot: root,
      identity: IDENTITY,
      identityProvider: ISSUER,
    });
    assert.deepEqual(problemCodes(result), ['SIGNATURE_INVALID']);
  });

  it('keyless: accepts a ClientTrustConfig wrapper, refuses a non-object trust config', async () => {
    const dir = copyVector('v1.0.1-sigstore');
    const base = {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      ignorePaths: ['ignore-me'],
      identity: IDENTITY,
      identityProvider: ISSUER,
    };
    const wrapped = await verifyModel(dir, {
      ...base,
      trustedRoot: {
        mediaType: 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json',
        trustedRoot: TRUSTED_ROOT,
      },
    });
    assert.deepEqual(wrapped.problems, []);
    for (const bad of [null, [], 3]) {
      const r = await verifyModel(dir, { ...base, trustedRoot: bad });
      assert.deepEqual(problemCodes(r), ['NO_TRUST_MATERIAL']);
    }
    const pki = copyVector('v1.1.0-certificate');
    const r = await verifyModel(pki, {
      ...base,
      signaturePath: join(pki, 'model.sig'),
      trustedRoot: TRUSTED_ROOT,
    });
    assert.deepEqual(problemCodes(r), ['WRONG_SIGNATURE_KIND']);
  });

  it('names the wrong kind of trust material', async () => {
    const dir = copyVector('v1.1.0-certificate');
    const result = await verifyModel(dir, {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      publicKey: readText(join(KEYS, 'signing-key-pub.pem')),
    });
    assert.deepEqual(problemCodes(result), ['WRONG_SIGNATURE_KIND']);
  });

  it('asks for the file when a single-file signature is checked against its folder', async () => {
    const dir = copyVector('v1.0.0-elliptic-key');
    const result = await verifyModel(dir, {
      signaturePath: join(dir, 'model.sig'),
      limits: DEFAULT_LIMITS,
      publicKey: readText(join(KEYS, 'signing-key-pub.pem')),
    });
    assert.deepEqual(problemCodes(result), ['WRONG_MODEL_KIND']);
  });
});

/** The problem codes of a verification result, in order. */
function problemCodes(result: {
  readonly problems: readonly { readonly code: string }[];
}): string[] {
  return result.problems.map((p) => p.code);
}

/** A self-signed certificate unrelated to the vectors, made with openssl at run time. */
function otherCertificate(): string {
  const dir = tempDir();
  const r = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=root-ca',
    '-keyout',
    join(dir, 'other.key'),
    '-out',
    join(dir, 'other.pem'),
    '-days',
    '3650',
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  return join(dir, 'other.pem');
}
