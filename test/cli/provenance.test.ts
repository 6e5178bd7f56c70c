import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { hashCommand } from '../../src/cli/commands/hash.js';
import { signCommand } from '../../src/cli/commands/sign.js';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { UsageError, type CliIo, type Command } from '../../src/cli/io.js';
import {
  IDENTITY,
  ISSUER,
  KEYS,
  copyVector,
  npmTrustedRoot,
  pythonVerify,
  tempDir,
  trustedRootFile,
} from '../provenance/helpers.js';

/** Runs a command with in-memory stdout/stderr, as main() would (usage errors → 2). */
async function run(
  command: Command,
  args: string[],
  cwd: string,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  const io: CliIo = {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env: {},
    cwd,
  };
  try {
    return { code: await command.run(args, io), out, err };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (
      error instanceof UsageError ||
      (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    ) {
      return { code: 2, out, err: (error as Error).message };
    }
    throw error;
  }
}

function workspace(): string {
  const dir = tempDir('torchward-cli-prov-');
  mkdirSync(join(dir, 'model', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'model', 'weights.bin'), Buffer.alloc(5000, 1));
  writeFileSync(join(dir, 'model', 'sub', 'config.json'), '{}\n');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'key.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  return dir;
}

describe('torchward hash', () => {
  it('prints sha256sum-compatible lines that coreutils sha256sum -c accepts', async () => {
    const dir = workspace();
    const r = await run(hashCommand, ['model'], dir);
    assert.equal(r.code, 0);
    const expected = spawnSync('sha256sum', ['sub/config.json', 'weights.bin'], {
      cwd: join(dir, 'model'),
      encoding: 'utf8',
    }).stdout;
    assert.equal(r.out, expected);
    writeFileSync(join(dir, 'SUMS'), r.out);
    assert.equal(
      spawnSync('sha256sum', ['-c', '--strict', '../SUMS'], { cwd: join(dir, 'model') }).status,
      0,
    );
  });

  it('--check passes, then fails naming the changed and missing files (exit 1)', async () => {
    const dir = workspace();
    const sums = spawnSync('sha256sum', ['sub/config.json', 'weights.bin'], {
      cwd: join(dir, 'model'),
      encoding: 'utf8',
    }).stdout;
    writeFileSync(join(dir, 'SUMS'), `${sums}${'0'.repeat(64)}  gone.bin\n`);
    const bad = await run(hashCommand, ['model', '--check', 'SUMS'], dir);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, 'sub/config.json: OK\nweights.bin: OK\ngone.bin: MISSING\n');
    writeFileSync(join(dir, 'SUMS'), sums);
    assert.equal((await run(hashCommand, ['model', '--check', 'SUMS'], dir)).code, 0);
    appendFileSync(join(dir, 'model', 'weights.bin'), 'x');
    const changed = await run(hashCommand, ['model', '--check', 'SUMS', '--format', 'json'], dir);
    assert.equal(changed.code, 1);
    const report = JSON.parse(changed.out) as {
      ok: boolean;
      files: { path: string; status: string }[];
    };
    assert.equal(report.ok, false);
    assert.deepEqual(report.files, [
      { path: 'sub/config.json', status: 'OK' },
      { path: 'weights.bin', status: 'FAILED' },
    ]);
  });

  it('--check against Git LFS pointers: a pointer file for a file, a pointer tree for a folder', async () => {
    const dir = workspace();
    const digest = spawnSync('sha256sum', ['model/weights.bin'], {
      cwd: dir,
      encoding: 'utf8',
    }).stdout.slice(0, 64);
    const pointer = (oid: string, size: number) =>
      `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;
    writeFileSync(join(dir, 'weights.pointer'), pointer(digest, 5000));
    assert.equal(
      (await run(hashCommand, ['model/weights.bin', '--check', 'weights.pointer'], dir)).code,
      0,
    );
    writeFileSync(join(dir, 'weights.pointer'), pointer(digest, 4999));
    assert.equal(
      (await run(hashCommand, ['model/weights.bin', '--check', 'weights.pointer'], dir)).code,
      1,
    );
    mkdirSync(join(dir, 'pointers', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'pointers', 'weights.bin'), pointer(digest, 5000));
    writeFileSync(join(dir, 'pointers', 'sub', 'config.json'), '{}\n'); // a small non-LFS file: skipped
    const tree = await run(hashCommand, ['model', '--check', 'pointers'], dir);
    assert.equal(tree.out, 'weights.bin: OK\n');
    assert.equal(tree.code, 0);
  });

  it('JSON output, shards, usage errors (2) and missing input (3)', async () => {
    const dir = workspace();
    const json = await run(hashCommand, ['model', '--format', 'json', '--shard-size', '2048'], dir);
    const report = JSON.parse(json.out) as { version: number; files: { path: string }[] };
    assert.equal(report.version, 1);
    assert.deepEqual(
      report.files.map((f) => f.path),
      [
        'sub/config.json:0:3',
        'weights.bin:0:2048',
        'weights.bin:2048:4096',
        'weights.bin:4096:5000',
      ],
    );
    assert.equal((await run(hashCommand, ['model', '--shard-size', '0'], dir)).code, 2);
    assert.equal((await run(hashCommand, ['model', '--bogus'], dir)).code, 2);
    assert.equal((await run(hashCommand, ['model', '--format', 'xml'], dir)).code, 2);
    assert.equal((await run(hashCommand, ['nope'], dir)).code, 3);
    assert.equal((await run(hashCommand, ['model', '--check', 'nope'], dir)).code, 3);
    assert.match((await run(hashCommand, ['--help'], dir)).out, /^Usage: torchward hash/);
  });
});

describe('torchward sign / verify', () => {
  it('signs, verifies (0), then fails (1) after tampering; Python agrees with the bundle', async () => {
    const dir = workspace();
    const signed = await run(
      signCommand,
      ['model', '--private-key', 'key.pem', '--format', 'json'],
      dir,
    );
    assert.equal(signed.code, 0, signed.err);
    const info = JSON.parse(signed.out) as { signature: string; files: number };
    assert.equal(info.signature, join(dir, 'model', 'model.sig'));
    assert.equal(info.files, 2);
    assert.equal(pythonVerify(info.signature, join(dir, 'model'), join(dir, 'key.pub')).status, 0);
    const ok = await run(verifyCommand, ['model', '--public-key', 'key.pub'], dir);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^OK: 2 file\(s\) verified, signed by key sha256:[0-9a-f]{64}\n$/);
    appendFileSync(join(dir, 'model', 'weights.bin'), 'x');
    writeFileSync(join(dir, 'model', 'new.pkl'), 'x');
    const bad = await run(
      verifyCommand,
      ['model', '--public-key', 'key.pub', '--format', 'json'],
      dir,
    );
    assert.equal(bad.code, 1);
    const report = JSON.parse(bad.out) as {
      ok: boolean;
      problems: { code: string; path: string }[];
    };
    assert.deepEqual(
      report.problems.map((p) => [p.code, p.path]),
      [
        ['UNSIGNED_FILE', 'new.pkl'],
        ['DIGEST_MISMATCH', 'weights.bin'],
      ],
    );
    const allowed = await run(
      verifyCommand,
      [
        'model',
        '--public-key',
        'key.pub',
        '--ignore-paths',
        'new.pkl',
        '--ignore-paths',
        'weights.bin',
      ],
      dir,
    );
    assert.equal(allowed.code, 1); // ignoring a signed file makes it missing
    assert.match(allowed.out, /MISSING_FILE: signed file is missing: weights.bin/);
  });

  it('verifies the vectors: key, certificate chain, keyless with --trust-config', async () => {
    const key = copyVector('v1.1.0-elliptic-key');
    assert.equal(
      (await run(verifyCommand, [key, '--public-key', join(KEYS, 'signing-key-pub.pem')], '/'))
        .code,
      0,
    );
    const pki = copyVector('v1.0.1-certificate');
    const r = await run(
      verifyCommand,
      [pki, '--certificate-chain', join(KEYS, 'ca-cert.pem'), '--ignore-paths', 'ignore-me'],
      '/',
    );
    assert.equal(r.code, 0, r.out);
    const root = npmTrustedRoot();
    if (root === undefined) return;
    const keyless = copyVector('v1.1.0-sigstore');
    const args = [
      keyless,
      '--identity',
      IDENTITY,
      '--identity-provider',
      ISSUER,
      '--trust-config',
      trustedRootFile(root),
    ];
    assert.equal((await run(verifyCommand, args, '/')).code, 0);
    args[2] = 'mallory@example.com';
    const wrong = await run(verifyCommand, args, '/');
    assert.equal(wrong.code, 1);
    assert.match(wrong.out, /IDENTITY_MISMATCH/);
  });

  it('PKI signing from the CLI; malformed bundle → exit 1 with the format code', async () => {
    const dir = workspace();
    const signed = await run(
      signCommand,
      [
        'model',
        '--private-key',
        join(KEYS, 'signing-key.pem'),
        '--signing-certificate',
        join(KEYS, 'signing-key-cert.pem'),
        '--certificate-chain',
        join(KEYS, 'int-ca-cert.pem'),
        '--signature',
        'out.sig',
      ],
      dir,
    );
    assert.equal(signed.code, 0, signed.err);
    assert.equal(
      pythonVerify(join(dir, 'out.sig'), join(dir, 'model'), join(KEYS, 'ca-cert.pem')).status,
      0,
    );
    assert.equal(
      (
        await run(
          verifyCommand,
          ['model', '--signature', 'out.sig', '--certificate-chain', join(KEYS, 'ca-cert.pem')],
          dir,
        )
      ).code,
      0,
    );
    writeFileSync(
      join(dir, 'bad.sig'),
      '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{},"dsseEnvelope":{"payloadType":"application/vnd.in-toto+json","payload":"!!","signatures":[{"sig":"AA=="}]}}',
    );
    const bad = await run(
      verifyCommand,
      ['model', '--signature', 'bad.sig', '--public-key', 'key.pub'],
      dir,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.out, /MALFORMED_SIGNATURE \(BAD_VALUE\)/);
  });

  it('usage errors exit 2; unreadable signature, model or key exit 3', async () => {
    const dir = workspace();
    assert.equal((await run(verifyCommand, ['model'], dir)).code, 2);
    assert.equal(
      (await run(verifyCommand, ['model', '--public-key', 'key.pub', '--identity', 'x'], dir)).code,
      2,
    );
    assert.equal(
      (await run(verifyCommand, ['model', '--identity', 'x', '--identity-provider', 'y'], dir))
        .code,
      2,
    );
    assert.equal((await run(signCommand, ['model'], dir)).code, 2);
    assert.equal(
      (
        await run(
          signCommand,
          ['model', '--private-key', 'key.pem', '--certificate-chain', 'x.pem'],
          dir,
        )
      ).code,
      2,
    );
    assert.equal((await run(verifyCommand, ['model', '--public-key', 'key.pub'], dir)).code, 3); // no model.sig yet
    assert.equal(
      (await run(verifyCommand, ['nope', '--public-key', 'key.pub', '--signature', 'x'], dir)).code,
      3,
    );
    assert.equal((await run(signCommand, ['model', '--private-key', 'missing.pem'], dir)).code, 3);
    assert.equal((await run(signCommand, ['nope', '--private-key', 'key.pem'], dir)).code, 3);
    writeFileSync(
      join(dir, 'k1.pem'),
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }),
    );
    const wrongCurve = await run(signCommand, ['model', '--private-key', 'k1.pem'], dir);
    assert.equal(wrongCurve.code, 1);
    assert.match(wrongCurve.err, /BAD_KEY: unsupported key type secp256k1/);
  });
});
