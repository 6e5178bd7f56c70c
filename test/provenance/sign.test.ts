import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { parseOmsBundle, parseOmsStatement } from '../../src/formats/oms/index.js';
import { ProvenanceError } from '../../src/provenance/errors.js';
import { buildManifest } from '../../src/provenance/manifest.js';
import { signModel } from '../../src/provenance/sign.js';
import { verifyModel } from '../../src/provenance/verify.js';
import { KEYS, pythonPathOrder, pythonVerify, readText, tempDir } from './helpers.js';

function model(): string {
  const dir = join(tempDir(), 'my-model');
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(dir, '.git'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{"layers": 2}\n');
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(100_000, 7));
  writeFileSync(join(dir, 'sub', 'deeper', 'x.pt'), 'tensor');
  writeFileSync(join(dir, 'sub', 'empty'), '');
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(dir, '.gitattributes'), '*.bin filter=lfs\n');
  return dir;
}

function keyPair(curve: string): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const dir = tempDir();
  const pub = join(dir, 'pub.pem');
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub };
}

describe('torchward sign: OMS v1.0 bundles checked by an independent verifier', () => {
  for (const curve of ['P-256', 'P-384', 'P-521']) {
    it(`signs with ${curve}; Python cryptography verifies the DSSE signature and digests`, async () => {
      const dir = model();
      const { priv, pub } = keyPair(curve);
      const result = await signModel(dir, { privateKey: priv, limits: DEFAULT_LIMITS });
      assert.equal(result.signaturePath, join(dir, 'model.sig'));
      const py = pythonVerify(result.signaturePath, dir, pub);
      assert.equal(py.status, 0, py.out);
      assert.match(py.out, /^OK 4$/m);
      const ours = await verifyModel(dir, {
        signaturePath: result.signaturePath,
        publicKey: readText(pub),
        limits: DEFAULT_LIMITS,
      });
      assert.deepEqual(ours.problems, []);
    });
  }

  it('writes the reference field names, ignore paths and bundle shape', async () => {
    const dir = model();
    const { priv } = keyPair('P-256');
    const result = await signModel(dir, {
      privateKey: priv,
      limits: DEFAULT_LIMITS,
      ignorePaths: ['sub/deeper'],
    });
    const json = JSON.parse(result.bundle) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['mediaType', 'verificationMaterial', 'dsseEnvelope']);
    assert.equal(json.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const bundle = parseOmsBundle(new TextEncoder().encode(result.bundle), DEFAULT_LIMITS);
    assert.equal(bundle.material.kind, 'publicKey');
    assert.equal(bundle.tlogEntryCount, 0);
    const st = parseOmsStatement(bundle.payload, DEFAULT_LIMITS);
    assert.equal(st.subjectName, 'my-model');
    assert.equal(st.method, 'files');
    assert.equal(st.hashType, 'sha256');
    assert.deepEqual(st.ignorePaths, [
      '.git',
      '.gitattributes',
      '.github',
      '.gitignore',
      'model.sig',
      'sub/deeper',
    ]);
    assert.deepEqual(
      st.resources.map((r) => r.name),
      ['config.json', 'sub/empty', 'weights.bin'],
    );
    assert.equal(
      st.resources[1]?.digest,
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('gives the reference key hint for the vectors key (sha256 of the SPKI PEM)', async () => {
    const dir = model();
    const result = await signModel(dir, {
      privateKey: readText(join(KEYS, 'signing-key.pem')),
      limits: DEFAULT_LIMITS,
    });
    const json = JSON.parse(result.bundle) as {
      verificationMaterial: { publicKey: { hint: string } };
    };
    // The hint in v1.1.0-elliptic-key/model.sig, written by model_signing 1.1.
    assert.equal(
      json.verificationMaterial.publicKey.hint,
      'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e',
    );
  });

  it('orders resources like Python sorts PurePosixPath (a-b, a.b, a/b, non-ASCII)', async () => {
    const dir = join(tempDir(), 'order');
    const names = ['a-b', 'a.b', 'a/b', 'a/a-b', 'a/a/b', 'B', 'b', 'é', '😀', 'ﬀ', 'z/1'];
    for (const n of names) {
      mkdirSync(join(dir, n, '..'), { recursive: true });
      writeFileSync(join(dir, n), n);
    }
    const manifest = await buildManifest(dir, { limits: DEFAULT_LIMITS });
    const ours = manifest.resources.map((r) => r.name);
    assert.deepEqual(ours, pythonPathOrder(names));
  });

  it('signs in shard mode; Python recomputes every shard', async () => {
    const dir = model();
    const { priv, pub } = keyPair('P-384');
    const result = await signModel(dir, {
      privateKey: priv,
      limits: DEFAULT_LIMITS,
      shardSize: 30_000,
    });
    const st = parseOmsStatement(
      parseOmsBundle(new TextEncoder().encode(result.bundle), DEFAULT_LIMITS).payload,
      DEFAULT_LIMITS,
    );
    assert.equal(st.method, 'shards');
    assert.equal(st.shardSize, 30_000);
    // weights.bin (100000 bytes) → 4 shards; the empty file has none (file_shard.py).
    assert.deepEqual(
      st.resources.map((r) => r.name),
      [
        'config.json:0:14',
        'sub/deeper/x.pt:0:6',
        'weights.bin:0:30000',
        'weights.bin:30000:60000',
        'weights.bin:60000:90000',
        'weights.bin:90000:100000',
      ],
    );
    const py = pythonVerify(result.signaturePath, dir, pub);
    assert.equal(py.status, 0, py.out);
    const ok = await verifyModel(dir, {
      signaturePath: result.signaturePath,
      publicKey: readText(pub),
      limits: DEFAULT_LIMITS,
    });
    assert.deepEqual(ok.problems, []);
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(100_001, 7));
    const bad = await verifyModel(dir, {
      signaturePath: result.signaturePath,
      publicKey: readText(pub),
      limits: DEFAULT_LIMITS,
    });
    assert.deepEqual(
      bad.problems.map((p) => [p.code, p.path]),
      [['DIGEST_MISMATCH', 'weights.bin']],
    );
  });

  it('signs a single file as "." beside it (MODEL.sig); Python agrees', async () => {
    const dir = model();
    const file = join(dir, 'weights.bin');
    const { priv, pub } = keyPair('P-256');
    const result = await signModel(file, { privateKey: priv, limits: DEFAULT_LIMITS });
    assert.equal(result.signaturePath, `${file}.sig`);
    assert.deepEqual(
      result.manifest.resources.map((r) => r.name),
      ['.'],
    );
    assert.equal(result.manifest.modelName, 'weights.bin');
    assert.equal(pythonVerify(result.signaturePath, file, pub).status, 0);
    const ok = await verifyModel(file, {
      signaturePath: result.signaturePath,
      publicKey: readText(pub),
      limits: DEFAULT_LIMITS,
    });
    assert.deepEqual(ok.problems, []);
  });

  it('PKI: signs with the vectors key and certificate; Python checks the chain to the root', async () => {
    const dir = model();
    const result = await signModel(dir, {
      privateKey: readText(join(KEYS, 'signing-key.pem')),
      signingCertificate: readText(join(KEYS, 'signing-key-cert.pem')),
      certificateChain: [readText(join(KEYS, 'int-ca-cert.pem'))],
      limits: DEFAULT_LIMITS,
    });
    const bundle = parseOmsBundle(new TextEncoder().encode(result.bundle), DEFAULT_LIMITS);
    assert.equal(bundle.material.kind, 'certificateChain');
    const py = pythonVerify(result.signaturePath, dir, join(KEYS, 'ca-cert.pem'));
    assert.equal(py.status, 0, py.out);
    const ours = await verifyModel(dir, {
      signaturePath: result.signaturePath,
      certificateChain: [readText(join(KEYS, 'ca-cert.pem'))],
      limits: DEFAULT_LIMITS,
    });
    assert.deepEqual(ours.problems, []);
    assert.equal(ours.method, 'certificate');
  });

  it('PKI with an openssl-made P-384 root and P-521 leaf: KeyUsage digitalSignature is enough', async () => {
    const ca = tempDir();
    const sh = (args: string[]): void => {
      const r = spawnSync('openssl', args, { cwd: ca, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    sh([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-384',
      '-nodes',
      '-subj',
      '/CN=test-root',
      '-keyout',
      'root.key',
      '-out',
      'root.pem',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ]);
    const leaf = (name: string, usage: string): void => {
      sh([
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-521',
        '-nodes',
        '-subj',
        `/CN=${name}`,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
      ]);
      writeFileSync(join(ca, `${name}.ext`), `keyUsage=critical,${usage}\n`);
      sh([
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'root.pem',
        '-CAkey',
        'root.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '10',
        '-extfile',
        `${name}.ext`,
      ]);
    };
    leaf('signer', 'digitalSignature');
    leaf('encrypter', 'keyEncipherment');
    const root = readText(join(ca, 'root.pem'));
    for (const [name, ok] of [
      ['signer', true],
      ['encrypter', false],
    ] as const) {
      const dir = model();
      const result = await signModel(dir, {
        privateKey: readText(join(ca, `${name}.key`)),
        signingCertificate: readText(join(ca, `${name}.pem`)),
        limits: DEFAULT_LIMITS,
      });
      assert.equal(pythonVerify(result.signaturePath, dir, join(ca, 'root.pem')).status, 0);
      const verdict = await verifyModel(dir, {
        signaturePath: result.signaturePath,
        certificateChain: [root],
        limits: DEFAULT_LIMITS,
      });
      assert.deepEqual(
        verdict.problems.map((p) => p.code),
        ok ? [] : ['UNTRUSTED_CERTIFICATE'],
        name,
      );
    }
  });

  it('signs with an encrypted key given its password; a wrong password is BAD_KEY', async () => {
    const dir = model();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'hunter2' })
      .toString();
    const result = await signModel(dir, {
      privateKey: pem,
      password: 'hunter2',
      limits: DEFAULT_LIMITS,
    });
    const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.equal(
      (
        await verifyModel(dir, {
          signaturePath: result.signaturePath,
          publicKey: pub,
          limits: DEFAULT_LIMITS,
        })
      ).ok,
      true,
    );
    await assert.rejects(
      signModel(dir, { privateKey: pem, password: 'wrong', limits: DEFAULT_LIMITS }),
      (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_KEY',
    );
  });

  it('Python rejects a torchward bundle after a file changes (the verifier is not vacuous)', async () => {
    const dir = model();
    const { priv, pub } = keyPair('P-256');
    const result = await signModel(dir, { privateKey: priv, limits: DEFAULT_LIMITS });
    writeFileSync(join(dir, 'config.json'), '{"layers": 3}\n');
    assert.notEqual(pythonVerify(result.signaturePath, dir, pub).status, 0);
    const other = keyPair('P-256');
    writeFileSync(join(dir, 'config.json'), '{"layers": 2}\n');
    assert.notEqual(pythonVerify(result.signaturePath, dir, other.pub).status, 0);
  });

  it('refuses keys the format does not allow and a certificate of another key', async () => {
    const dir = model();
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await assert.rejects(
      signModel(dir, { privateKey: k1, limits: DEFAULT_LIMITS }),
      (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_KEY',
    );
    const ed = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await assert.rejects(
      signModel(dir, { privateKey: ed, limits: DEFAULT_LIMITS }),
      (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_KEY',
    );
    await assert.rejects(
      signModel(dir, {
        privateKey: keyPair('P-384').priv,
        signingCertificate: readText(join(KEYS, 'signing-key-cert.pem')),
        limits: DEFAULT_LIMITS,
      }),
      (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_KEY',
    );
    await assert.rejects(
      signModel(dir, { privateKey: 'not a key', limits: DEFAULT_LIMITS }),
      (e: unknown) => e instanceof ProvenanceError && e.code === 'BAD_KEY',
    );
  });

  it('refuses symlinks unless allowed, and links out of the model even then', async () => {
    const { symlinkSync } = await import('node:fs');
    const dir = model();
    const outside = join(tempDir(), 'secret');
    writeFileSync(outside, 'x');
    symlinkSync(join(dir, 'config.json'), join(dir, 'link.json'));
    const { priv } = keyPair('P-256');
    await assert.rejects(
      signModel(dir, { privateKey: priv, limits: DEFAULT_LIMITS }),
      (e: unknown) => e instanceof ProvenanceError && e.code === 'SYMLINK',
    );
    const ok = await signModel(dir, {
      privateKey: priv,
      limits: DEFAULT_LIMITS,
      allowSymlinks: true,
    });
    assert.ok(ok.manifest.resources.some((r) => r.name === 'link.json'));
    symlinkSync(outside, join(dir, 'escape'));
    await assert.rejects(
      signModel(dir, { privateKey: priv, limits: DEFAULT_LIMITS, allowSymlinks: true }),
      (e: unknown) => e instanceof ProvenanceError && e.code === 'OUTSIDE_MODEL',
    );
  });

  it('hashes many files on worker threads with the same digests as in-process', async () => {
    const dir = join(tempDir(), 'many');
    mkdirSync(dir);
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(300_000, i));
    const threaded = await buildManifest(dir, { limits: DEFAULT_LIMITS, workers: 2 });
    const single = await buildManifest(dir, { limits: DEFAULT_LIMITS, workers: 1 });
    assert.deepEqual(threaded.resources, single.resources);
    const { createHash } = await import('node:crypto');
    const f7 = threaded.resources.find((r) => r.name === 'f7');
    assert.equal(
      f7?.digest,
      createHash('sha256')
        .update(readFileSync(join(dir, 'f7')))
        .digest('hex'),
    );
  });
});
