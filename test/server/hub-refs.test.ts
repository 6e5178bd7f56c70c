import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HubFetcher, parseHubFileRef } from '../../src/server/hub-fetch.js';
import { MemoryQueue } from '../../src/server/memory-queue.js';
import { FakeHub } from '../helpers/hub-server.js';
import { spawnCli, startService, waitForScan, type TestService } from '../helpers/service.js';

// hf:// references in POST /v1/scans, fetched from a loopback server that plays the Hub's API
// (test/helpers/hub-server.ts: revision, paged tree, resolve with the LFS redirect to a CDN host).

const BENIGN = readFileSync('test/fixtures/zip/ok/torch-state-dict.pt');
const HOSTILE = readFileSync('test/fixtures/zip/evil/torch-evil.pt');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const MAIN = '1'.repeat(40);
const V1 = '2'.repeat(40);
const GATED = '3'.repeat(40);
const TOKEN = 'hf_serve_token';

const hub = new FakeHub([
  {
    type: 'model',
    id: 'acme/models',
    refs: { main: MAIN, 'refs/pr/1': V1, v1: V1 },
    commits: {
      [MAIN]: [
        { path: 'ok.pt', bytes: BENIGN },
        { path: 'weights/evil.pt', bytes: HOSTILE, lfs: true },
        { path: 'resized.pt', bytes: HOSTILE, lfs: true, fault: 'wrong-size' },
        // 2 MiB by the tree: over the services' 1 MiB limit, refused before any byte is read.
        { path: 'large.bin', head: Buffer.from('x'), size: 2 * 1024 * 1024, lfs: true },
      ],
      [V1]: [{ path: 'ok.pt', bytes: HOSTILE }],
    },
  },
  {
    type: 'model',
    id: 'acme/gated',
    refs: { main: GATED },
    commits: { [GATED]: [{ path: 'model.pt', bytes: BENIGN }] },
    gatedToken: TOKEN,
  },
]);

function storeFiles(svc: TestService): string[] {
  return [
    ...readdirSync(join(svc.store.root, 'objects')),
    ...readdirSync(join(svc.store.root, 'tmp')),
  ];
}

async function submit(
  svc: TestService,
  url: string,
): Promise<{ status: number; body: { id?: string; error?: string; message?: string } }> {
  const res = await fetch(`${svc.base}/v1/scans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  return { status: res.status, body: (await res.json()) as { id?: string; error?: string } };
}

describe('serve: hf:// references', () => {
  // The operator's Hub on loopback; user URLs stay under the full SSRF guard.
  let strict: TestService;
  // The same, with --allow-loopback-urls: the tests' CDN host is on loopback too.
  let loose: TestService;

  before(async () => {
    await hub.start();
    const fetcher = (allowLoopback: boolean): HubFetcher =>
      new HubFetcher({
        connection: { endpoint: hub.url, token: TOKEN, timeoutMs: 10_000 },
        guard: allowLoopback ? { allowLoopback: true } : {},
      });
    const queue = (store: ConstructorParameters<typeof MemoryQueue>[0]): MemoryQueue =>
      new MemoryQueue(store, { concurrency: 2, attempts: 1, timeoutMs: 30_000 });
    strict = await startService(queue, { hub: fetcher(false), maxUploadBytes: 1024 * 1024 });
    loose = await startService(queue, {
      hub: fetcher(true),
      allowLoopbackUrls: true,
      maxUploadBytes: 1024 * 1024,
    });
  });

  after(async () => {
    await strict.close();
    await loose.close();
    await hub.stop();
  });

  it('scans a file of the configured Hub, checked against its tree entry', async () => {
    const ok = await submit(strict, 'hf://acme/models/ok.pt');
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    assert.equal(ok.body.id, sha(BENIGN));
    assert.equal((await waitForScan(strict.base, sha(BENIGN))).verdict, 'safe');
    // A tag, a pinned commit, and a refs/pr revision (plain and percent-encoded) name V1's file.
    for (const ref of [
      'hf://acme/models@v1/ok.pt',
      `hf://acme/models@${V1}/ok.pt`,
      'hf://acme/models@refs/pr/1/ok.pt',
      'hf://models/acme/models@refs%2Fpr%2F1/ok.pt',
    ]) {
      const res = await submit(strict, ref);
      assert.equal(res.status, 202, ref);
      assert.equal(res.body.id, sha(HOSTILE), ref);
    }
    assert.equal((await waitForScan(strict.base, sha(HOSTILE))).verdict, 'malicious');
  });

  it('sends HF_TOKEN to the endpoint only, never to the host a download redirects to', async () => {
    const gated = await submit(strict, 'hf://acme/gated/model.pt');
    assert.equal(gated.status, 202, JSON.stringify(gated.body));
    const lfs = await submit(loose, 'hf://acme/models/weights/evil.pt');
    assert.equal(lfs.status, 202, JSON.stringify(lfs.body));
    assert.equal((await waitForScan(loose.base, sha(HOSTILE))).verdict, 'malicious');
    const cdn = hub.seen.filter((r) => r.host === 'cdn');
    assert.ok(cdn.length > 0);
    assert.ok(cdn.every((r) => r.authorization === undefined));
    assert.ok(
      hub.seen.filter((r) => r.host === 'hub').every((r) => r.authorization === `Bearer ${TOKEN}`),
    );
  });

  it('keeps the SSRF guard for user URLs and for redirects off the endpoint', async () => {
    const before = storeFiles(strict);
    const hubPort = new URL(hub.url).port;
    const cases: [string, number, string][] = [
      // The LFS file redirects to a CDN host on loopback: not the trusted endpoint.
      ['hf://acme/models/weights/evil.pt', 400, 'BLOCKED_ADDRESS'],
      // The endpoint is trusted for hf:// only: a user URL to the same server is refused.
      [`${hub.url}/acme/models/resolve/main/ok.pt`, 400, 'BLOCKED_ADDRESS'],
      [`http://localhost:${hubPort}/acme/models/resolve/main/ok.pt`, 400, 'BLOCKED_ADDRESS'],
      ['http://169.254.169.254/latest/meta-data/', 400, 'BLOCKED_ADDRESS'],
      // Loopback in other spellings: decimal, hex-dotted, IPv6, IPv4-mapped, a trailing dot.
      [`http://2130706433:${hubPort}/`, 400, 'BLOCKED_ADDRESS'],
      [`http://0x7f.1:${hubPort}/`, 400, 'BLOCKED_ADDRESS'],
      [`http://[::1]:${hubPort}/`, 400, 'BLOCKED_ADDRESS'],
      [`http://[::ffff:127.0.0.1]:${hubPort}/`, 400, 'BLOCKED_ADDRESS'],
      [`http://localhost.:${hubPort}/`, 400, 'BLOCKED_ADDRESS'],
      [`http://api.localhost:${hubPort}/`, 400, 'BLOCKED_ADDRESS'],
    ];
    for (const [url, status, code] of cases) {
      const res = await submit(strict, url);
      assert.equal(res.status, status, url);
      assert.equal(res.body.error, code, url);
    }
    assert.deepEqual(storeFiles(strict), before);
  });

  it('answers what the Hub says with stable codes, and keeps nothing of a wrong file', async () => {
    const before = storeFiles(loose);
    const cases: [string, number, string][] = [
      ['hf://acme/models/missing.pt', 422, 'HUB_ENTRY_NOT_FOUND'],
      ['hf://acme/nothing/model.pt', 422, 'HUB_REPO_NOT_FOUND'],
      ['hf://acme/models@no-such-branch/ok.pt', 422, 'HUB_REVISION_NOT_FOUND'],
      // The CDN serves 100 bytes more than the tree lists: not the file the commit names.
      ['hf://acme/models/resized.pt', 502, 'HUB_MISMATCH'],
      ['hf://acme/models/large.bin', 413, 'TOO_LARGE'],
      // A repository is not one artifact: the API needs a file (hub-scan expands repositories).
      ['hf://acme/models', 400, 'BAD_URL'],
      ['hf://acme/models/../../etc/passwd', 400, 'BAD_URL'],
      ['hf://a b/c/d.pt', 400, 'BAD_URL'],
    ];
    for (const [url, status, code] of cases) {
      const res = await submit(loose, url);
      assert.equal(res.status, status, `${url}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, code, url);
    }
    assert.deepEqual(storeFiles(loose), before);
  });

  it('serve --hf-endpoint takes HF_TOKEN from the environment; --no-hf refuses hf://', async () => {
    const store = join(strict.store.root, '..', 'cli-store');
    const started = await spawnCli(
      ['serve', '--no-auth', '--listen', '127.0.0.1:0', '--store', store, '--hf-endpoint', hub.url],
      /listening on/,
      process.cwd(),
      { ...process.env, HF_TOKEN: TOKEN, HF_ENDPOINT: 'http://192.0.2.1' },
    );
    const off = await spawnCli(
      ['serve', '--no-auth', '--listen', '127.0.0.1:0', '--store', store, '--no-hf'],
      /listening on/,
    );
    try {
      const base = /listening on (\S+)/.exec(started.line)?.[1] ?? '';
      const res = await fetch(`${base}/v1/scans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'hf://acme/gated/model.pt' }),
      });
      assert.equal(res.status, 202, await res.clone().text());
      assert.equal(((await res.json()) as { id: string }).id, sha(BENIGN));
      const offBase = /listening on (\S+)/.exec(off.line)?.[1] ?? '';
      const refused = await fetch(`${offBase}/v1/scans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'hf://acme/gated/model.pt' }),
      });
      assert.equal(refused.status, 422);
      assert.equal(((await refused.json()) as { error: string }).error, 'NOT_SUPPORTED');
    } finally {
      started.child.kill('SIGKILL');
      off.child.kill('SIGKILL');
    }
  });

  it('parses file references the way HfFileSystem spells them', () => {
    const cases: [string, string, string, string, string | undefined][] = [
      ['hf://acme/m/a/b.pt', 'model', 'acme/m', 'main', 'a/b.pt'],
      ['hf://datasets/acme/d@v2/x.parquet', 'dataset', 'acme/d', 'v2', 'x.parquet'],
      ['hf://acme/m@refs%2Fpr%2F3/f', 'model', 'acme/m', 'refs/pr/3', 'f'],
      ['hf://acme/m@refs/pr/3/f', 'model', 'acme/m', 'refs/pr/3', 'f'],
      ['hf://acme/m@refs/pr/3', 'model', 'acme/m', 'refs/pr/3', undefined],
      ['hf://acme/m', 'model', 'acme/m', 'main', undefined],
      ['hf://acme/m/dir/f@x.pt', 'model', 'acme/m', 'main', 'dir/f@x.pt'],
    ];
    for (const [text, type, id, revision, path] of cases) {
      const parsed = parseHubFileRef(text);
      assert.deepEqual(
        [parsed.ref.type, parsed.ref.id, parsed.ref.revision, parsed.path],
        [type, id, revision, path],
      );
    }
    for (const bad of ['hf://acme/m/a//b', 'hf://acme/m/./b', 'hf://acme/m@%zz/f', 'hf://']) {
      assert.throws(() => parseHubFileRef(bad), /not a/, bad);
    }
  });
});
