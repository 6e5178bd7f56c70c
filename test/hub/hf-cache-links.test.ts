import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli-io.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures');
const REV = '0123456789abcdef0123456789abcdef01234567';

interface Cache {
  readonly hub: string;
  readonly repo: string;
  readonly snapshot: string;
  readonly plain: string;
}

/**
 * A Hugging Face hub cache laid out as huggingface_hub writes it: blobs named by their hash,
 * snapshot files as relative links into ../../blobs, refs/main naming the commit. `plain` holds
 * the same files as a plain folder, for comparing digests with a folder without links.
 */
function makeCache(): Cache {
  const hub = mkdtempSync(join(tmpdir(), 'torchward-hfcache-'));
  const repo = join(hub, 'models--acme--tiny');
  const snapshot = join(repo, 'snapshots', REV);
  const plain = join(hub, 'plain');
  mkdirSync(join(repo, 'blobs'), { recursive: true });
  mkdirSync(join(repo, 'refs'), { recursive: true });
  mkdirSync(join(snapshot, 'sub'), { recursive: true });
  mkdirSync(join(plain, 'sub'), { recursive: true });
  writeFileSync(join(repo, 'refs', 'main'), REV);
  const files: Record<string, Buffer> = {
    'model.safetensors': readFileSync(
      join(FIXTURES, 'safetensors', 'ok', 'two-tensors.safetensors'),
    ),
    'config.json': Buffer.from('{"model_type": "bert"}\n'),
    'sub/extra.safetensors': readFileSync(join(FIXTURES, 'safetensors', 'ok', 'empty.safetensors')),
  };
  for (const [rel, bytes] of Object.entries(files)) {
    const blob = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(repo, 'blobs', blob), bytes);
    const depth = rel.split('/').length + 1;
    symlinkSync(`${'../'.repeat(depth)}blobs/${blob}`, join(snapshot, rel));
    writeFileSync(join(plain, rel), bytes);
  }
  return { hub, repo, snapshot, plain };
}

describe('Hugging Face cache snapshots (links into blobs/)', () => {
  it('hash follows snapshot links into blobs without --allow-symlinks, same digests as a plain folder', async () => {
    const c = makeCache();
    const linked = await runCli(['hash', c.snapshot, '-f', 'json']);
    const plain = await runCli(['hash', c.plain, '-f', 'json']);
    assert.equal(linked.code, 0, linked.stderr);
    const a = JSON.parse(linked.stdout) as { rootDigest: string; files: unknown[] };
    const b = JSON.parse(plain.stdout) as { rootDigest: string; files: unknown[] };
    assert.equal(a.rootDigest, b.rootDigest);
    assert.deepEqual(a.files, b.files);
    assert.equal(a.files.length, 3);
  });

  it('a link leaving the cache repository folder is still refused', async () => {
    const c = makeCache();
    const outside = join(c.hub, 'secret.bin');
    writeFileSync(outside, 'not part of the model');
    symlinkSync(outside, join(c.snapshot, 'escape.bin'));
    const r = await runCli(['hash', c.snapshot]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /escape\.bin is a symbolic link|escape\.bin links outside/);
    const allowed = await runCli(['hash', c.snapshot, '--allow-symlinks']);
    assert.notEqual(allowed.code, 0);
    assert.match(allowed.stderr, /escape\.bin links outside the model/);
    // scan: the escaping link is an unscanned entry, the cache links are scanned.
    const scan = await runCli(['scan', c.snapshot, '-f', 'json', '--no-config', '--no-progress']);
    const report = JSON.parse(scan.stdout) as {
      files: { path: string; format: string; verdict: string | null }[];
    };
    const byName = new Map(report.files.map((f) => [f.path.split('/').pop(), f]));
    assert.equal(byName.get('escape.bin')?.format, 'unscanned');
    assert.equal(byName.get('model.safetensors')?.verdict, 'safe');
    assert.equal(byName.get('extra.safetensors')?.verdict, 'safe');
  });

  it('scan of a snapshot reads every linked file; sign and verify round-trip and record allow_symlinks', async () => {
    const c = makeCache();
    const scan = await runCli(['scan', c.snapshot, '-f', 'json', '--no-config', '--no-progress']);
    assert.equal(scan.code, 0, scan.stdout);
    const report = JSON.parse(scan.stdout) as { files: { path: string; format: string }[] };
    assert.ok(report.files.every((f) => f.format !== 'unscanned'));
    assert.ok(report.files.some((f) => f.path.endsWith('model.safetensors')));

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyFile = join(c.hub, 'key.pem');
    const pubFile = join(c.hub, 'key.pub');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const sig = join(c.hub, 'model.sig');
    const signed = await runCli(['sign', c.snapshot, '--private-key', keyFile, '--signature', sig]);
    assert.equal(signed.code, 0, signed.stderr);
    const bundle = JSON.parse(readFileSync(sig, 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString()) as {
      predicate: { serialization: { allow_symlinks: boolean } };
    };
    assert.equal(statement.predicate.serialization.allow_symlinks, true);
    const ok = await runCli(['verify', c.snapshot, '--signature', sig, '--public-key', pubFile]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    // The same signature verifies the plain copy: the manifest does not depend on the links.
    const plainOk = await runCli(['verify', c.plain, '--signature', sig, '--public-key', pubFile]);
    assert.equal(plainOk.code, 0, plainOk.stderr + plainOk.stdout);
    // A changed blob fails verification through its link.
    copyFileSync(
      join(FIXTURES, 'safetensors', 'ok', 'scalar-and-zero.safetensors'),
      join(c.plain, 'model.safetensors'),
    );
    const bad = await runCli(['verify', c.plain, '--signature', sig, '--public-key', pubFile]);
    assert.notEqual(bad.code, 0);
  });
});

describe('--ignore-paths normalised on hash, sign and verify', () => {
  it('sub/../x is x, and an absolute path is refused with a message', async () => {
    const c = makeCache();
    const a = await runCli(['hash', c.plain, '--ignore-paths', 'sub/../config.json', '-f', 'json']);
    const b = await runCli(['hash', c.plain, '--ignore-paths', 'config.json', '-f', 'json']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.ok(!a.stdout.includes('config.json'));
    for (const cmd of [
      ['hash', c.plain],
      ['sign', c.plain, '--private-key', join(c.hub, 'nokey.pem')],
      ['verify', c.plain, '--public-key', join(c.hub, 'nokey.pem')],
    ]) {
      const abs = await runCli([...cmd, '--ignore-paths', join(c.plain, 'config.json')]);
      assert.equal(abs.code, 2, `${cmd[0]}: ${abs.stderr}`);
      assert.match(abs.stderr, /ignore path .* is absolute/);
      const up = await runCli([...cmd, '--ignore-paths', '../x']);
      assert.equal(up.code, 2);
      assert.match(up.stderr, /leads out of the model/);
    }
  });

  it('sign records the normalised path and verify applies it', async () => {
    const c = makeCache();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyFile = join(c.hub, 'k.pem');
    const pubFile = join(c.hub, 'k.pub');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const sig = join(c.hub, 'p.sig');
    const s = await runCli([
      'sign',
      c.plain,
      '--private-key',
      keyFile,
      '--signature',
      sig,
      '--ignore-paths',
      './sub/../config.json',
    ]);
    assert.equal(s.code, 0, s.stderr);
    const payload = JSON.parse(
      Buffer.from(
        (JSON.parse(readFileSync(sig, 'utf8')) as { dsseEnvelope: { payload: string } })
          .dsseEnvelope.payload,
        'base64',
      ).toString(),
    ) as { predicate: { serialization: { ignore_paths: string[] } } };
    assert.ok(payload.predicate.serialization.ignore_paths.includes('config.json'));
    writeFileSync(join(c.plain, 'config.json'), 'changed after signing');
    const v = await runCli(['verify', c.plain, '--signature', sig, '--public-key', pubFile]);
    assert.equal(v.code, 0, v.stderr + v.stdout);
  });
});

describe('scan --hf-cache', () => {
  it('scans every snapshot, naming each result by repository, commit and file, with the refs that point at it', async () => {
    const c = makeCache();
    const outside = join(c.hub, 'secret.bin');
    writeFileSync(outside, 'x');
    symlinkSync(outside, join(c.snapshot, 'escape.bin'));
    const r = await runCli([
      'scan',
      '--hf-cache',
      c.hub,
      '-f',
      'json',
      '--no-config',
      '--no-progress',
    ]);
    const report = JSON.parse(r.stdout) as {
      files: {
        path: string;
        format: string;
        verdict: string | null;
        hub?: { repo: string; revision: string; file: string; read: string };
      }[];
      hub: { repos: { repo: string; commit: string; refs?: string[] }[] };
    };
    assert.deepEqual(report.hub.repos, [
      { repo: 'acme/tiny', type: 'model', revision: 'main', commit: REV, refs: ['main'] },
    ]);
    const st = report.files.find((f) => f.hub?.file === 'model.safetensors');
    assert.equal(st?.path, `hf://acme/tiny@${REV}/model.safetensors`);
    assert.equal(st?.verdict, 'safe');
    assert.deepEqual(st?.hub, {
      repo: 'acme/tiny',
      type: 'model',
      revision: REV,
      file: 'model.safetensors',
      read: 'cache',
    });
    const nested = report.files.find((f) => f.hub?.file === 'sub/extra.safetensors');
    assert.equal(nested?.verdict, 'safe');
    const escape = report.files.find((f) => f.path.endsWith('escape.bin'));
    assert.equal(escape?.path, `hf://acme/tiny@${REV}/escape.bin`);
    assert.equal(escape?.format, 'unscanned');
    assert.equal(r.code, 1);
    // Without DIR: HF_HUB_CACHE names the cache, as huggingface_hub reads it.
    const env = await runCli(['scan', '--hf-cache', '-f', 'json', '--no-config', '--no-progress'], {
      HF_HUB_CACHE: c.hub,
    });
    assert.equal((JSON.parse(env.stdout) as { hub: { source: string } }).hub.source, c.hub);
    const none = await runCli([
      'scan',
      '--hf-cache',
      join(c.hub, 'plain'),
      '--no-config',
      '--no-progress',
    ]);
    assert.equal(none.code, 3);
  });
});
