import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import {
  dssePae,
  parseOmsBundle,
  parseOmsStatement,
  readKeyUsage,
} from '../../../src/formats/oms/index.js';

const VECTORS = resolve(process.cwd(), 'test', 'fixtures', 'oms', 'model-signing');
const bytes = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(VECTORS, name, 'model.sig')));

describe('parseOmsBundle / parseOmsStatement on the reference vectors', () => {
  it('reads a v1.1.0 key bundle: hint, no tlog, one signature', () => {
    const b = parseOmsBundle(bytes('v1.1.0-elliptic-key'), DEFAULT_LIMITS);
    assert.equal(b.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.deepEqual(b.material, {
      kind: 'publicKey',
      hint: 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e',
    });
    assert.equal(b.signatures.length, 1);
    const st = parseOmsStatement(b.payload, DEFAULT_LIMITS);
    assert.equal(st.subjectName, 'v1.1.0-elliptic-key');
    assert.equal(st.rootDigest, '92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4');
    assert.deepEqual(st.ignorePaths, [
      '.git',
      'model.sig',
      'ignore-me',
      '.gitattributes',
      '.gitignore',
      '.github',
    ]);
    assert.deepEqual(
      st.resources.map((r) => [r.name, r.digest.slice(0, 8)]),
      [
        ['signme-1', 'bc9a717d'],
        ['signme-2', '32dcb1f8'],
      ],
    );
  });

  it('reads a pre-1.1 key bundle with the PEM in rawBytes and keyDetails', () => {
    const b = parseOmsBundle(bytes('v1.0.1-elliptic-key'), DEFAULT_LIMITS);
    assert.ok(b.material.kind === 'publicKey');
    assert.equal(b.material.keyDetails, 'PKIX_ECDSA_P384_SHA_384');
    assert.match(
      Buffer.from(b.material.rawBytes ?? new Uint8Array()).toString(),
      /^-----BEGIN PUBLIC KEY-----/,
    );
    assert.equal(parseOmsStatement(b.payload, DEFAULT_LIMITS).ignorePaths, undefined);
  });

  it('reads the v1.0.0 single-file statement (resource ".")', () => {
    const st = parseOmsStatement(
      parseOmsBundle(bytes('v1.0.0-elliptic-key'), DEFAULT_LIMITS).payload,
      DEFAULT_LIMITS,
    );
    assert.deepEqual(
      st.resources.map((r) => r.name),
      ['.'],
    );
  });

  it('reads certificate chains and keyless bundles', () => {
    const pki = parseOmsBundle(bytes('v1.1.0-certificate'), DEFAULT_LIMITS);
    assert.ok(pki.material.kind === 'certificateChain');
    {
      assert.equal(pki.material.certificates.length, 2);
      const leaf = pki.material.certificates[0];
      assert.ok(leaf !== undefined);
      assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.3']);
      assert.deepEqual(readKeyUsage(new Uint8Array(leaf.raw)), {
        present: true,
        digitalSignature: true,
      });
    }
    const keyless = parseOmsBundle(bytes('v1.1.0-sigstore'), DEFAULT_LIMITS);
    assert.equal(keyless.material.kind, 'certificate');
    assert.equal(keyless.tlogEntryCount, 1);
  });

  it('builds the DSSE PAE with byte lengths', () => {
    const pae = dssePae('t/é', new TextEncoder().encode('{"a":1}'));
    assert.equal(Buffer.from(pae).toString('utf8'), 'DSSEv1 4 t/é 7 {"a":1}');
  });

  it('parses the reference shard payloads (float shard_size, sha256-sharded-N names)', () => {
    const payload = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        {
          name: 'file_model',
          digest: { sha256: '57d54248751a51781ac2bed647670df0c45d3926e337021585c34a82384b6573' },
        },
      ],
      predicateType: 'https://model_signing/signature/v1.0',
      predicate: {
        serialization: {
          method: 'shards',
          hash_type: 'sha256-sharded-8',
          allow_symlinks: true,
          shard_size: 8.0,
        },
        resources: [
          {
            algorithm: 'sha256-sharded-8',
            digest: 'a37010c994067764d86540bf479d93b4d0c3bb3955de7b61f951caf2fd0301b0',
            name: '.:0:8',
          },
          {
            algorithm: 'sha256-sharded-8',
            digest: 'bd762002a3528a27fb9a8822f822b949d3c9ab7e860af33039c9aa70ebbbe682',
            name: 'a:b:8:16',
          },
        ],
      },
    };
    const st = parseOmsStatement(new TextEncoder().encode(JSON.stringify(payload)), DEFAULT_LIMITS);
    assert.equal(st.hashType, 'sha256');
    assert.equal(st.shardSize, 8);
    assert.equal(st.allowSymlinks, true);
    assert.deepEqual(
      st.resources.map((r) => [r.path, r.start, r.end]),
      [
        ['.', 0, 8],
        ['a:b', 8, 16],
      ],
    );
  });
});
