import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanHubRepository } from '../../src/engine/hub-scan.js';
import { FakeHub, type HubFileSpec } from '../helpers/hub-server.js';
import { runCli } from '../helpers/cli-io.js';
import { cycloneDxErrors } from '../helpers/cyclonedx-schema.js';

const FIX = join(process.cwd(), 'test', 'fixtures');
const MAIN = 'a'.repeat(40);
const TAGGED = 'b'.repeat(40);
const GATED = 'c'.repeat(40);
const FAULTS = 'd'.repeat(40);
const DATA = 'e'.repeat(40);
const TOKEN = 'hf_test_token';

/** A safetensors header declaring one F32 tensor of 10 GiB: the file is 10 GiB and a bit. */
function hugeSafetensors(): { head: Uint8Array; size: number } {
  const n = (10 * 1024 * 1024 * 1024) / 4;
  let json = JSON.stringify({
    __metadata__: { format: 'pt' },
    weight: { dtype: 'F32', shape: [n], data_offsets: [0, n * 4] },
  });
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = Buffer.alloc(8 + json.length);
  head.writeBigUInt64LE(BigInt(json.length), 0);
  head.write(json, 8, 'latin1');
  return { head, size: head.byteLength + n * 4 };
}

const README = `---
license: apache-2.0
pipeline_tag: text-classification
datasets:
  - acme/reviews
---
# tiny
`;

const huge = hugeSafetensors();
const evilZip = readFileSync(join(FIX, 'torch', 'evil', 'c06-deflated-data-pkl.pt'));
const goodSt = readFileSync(join(FIX, 'safetensors', 'ok', 'two-tensors.safetensors'));
const mainFiles: HubFileSpec[] = [
  { path: '.gitattributes', bytes: Buffer.from('*.safetensors filter=lfs\n') },
  { path: 'README.md', bytes: Buffer.from(README) },
  {
    path: 'config.json',
    bytes: Buffer.from('{"model_type": "bert", "architectures": ["BertModel"]}'),
  },
  { path: 'model.safetensors', head: huge.head, size: huge.size, lfs: true },
  { path: 'requirements.txt', bytes: Buffer.from('torch==2.6.0\nnumpy>=1.26\n') },
  { path: 'sub/evil.pt', bytes: evilZip, lfs: true },
];

const hub = new FakeHub([
  {
    type: 'model',
    id: 'acme/tiny',
    refs: { main: MAIN, 'v1.0': TAGGED },
    commits: {
      [MAIN]: mainFiles,
      [TAGGED]: [{ path: 'model.safetensors', bytes: goodSt, lfs: true }],
    },
  },
  {
    type: 'model',
    id: 'acme/gated',
    refs: { main: GATED },
    commits: { [GATED]: [{ path: 'model.safetensors', bytes: goodSt, lfs: true }] },
    gatedToken: TOKEN,
  },
  {
    type: 'model',
    id: 'acme/faults',
    refs: { main: FAULTS },
    commits: {
      [FAULTS]: [
        {
          path: 'a-500.safetensors',
          head: huge.head,
          size: huge.size,
          lfs: true,
          fault: 'status500',
        },
        { path: 'b-truncated.safetensors', bytes: goodSt, fault: 'truncate' },
        { path: 'c-wrong-size.safetensors', bytes: goodSt, lfs: true, fault: 'wrong-size' },
        { path: 'd-pointer.safetensors', bytes: goodSt, lfs: true, fault: 'pointer' },
        {
          path: 'e-truncated-big.safetensors',
          head: huge.head,
          size: huge.size,
          lfs: true,
          fault: 'truncate',
        },
        {
          path: 'f-pointer-big.safetensors',
          head: huge.head,
          size: huge.size,
          lfs: true,
          fault: 'pointer',
        },
        {
          path: 'g-no-range.safetensors',
          head: huge.head,
          size: huge.size,
          lfs: true,
          fault: 'no-range',
        },
        {
          path: 'h-pointer-committed.safetensors',
          bytes: Buffer.from(
            'version https://git-lfs.github.com/spec/v1\noid sha256:' +
              'f'.repeat(64) +
              '\nsize 12345\n',
          ),
        },
      ],
    },
  },
  {
    type: 'dataset',
    id: 'acme/data',
    refs: { main: DATA },
    commits: { [DATA]: [{ path: 'data/evil.pt', bytes: evilZip, lfs: true }] },
  },
]);

interface JsonReport {
  files: {
    path: string;
    format: string;
    verdict: string | null;
    findings: { ruleId: string; message: string }[];
    hub?: { repo: string; revision: string; file: string; read: string };
    sha256?: string;
  }[];
  hub?: { repos: { repo: string; revision: string; commit: string }[]; bytesReceived: number };
}

async function scan(ref: string, env: Record<string, string> = {}, extra: string[] = []) {
  const r = await runCli(
    ['scan', ref, '-f', 'json', '--no-config', '--no-progress', '--hf-endpoint', hub.url, ...extra],
    env,
  );
  return { ...r, report: r.stdout === '' ? undefined : (JSON.parse(r.stdout) as JsonReport) };
}

describe('torchward scan hf:// against a local Hub', () => {
  before(async () => {
    await hub.start();
  });
  after(async () => {
    await hub.stop();
  });

  it('resolves main to its commit, judges a 10 GiB safetensors by its header, maps findings to repo, commit and file', async () => {
    hub.seen.length = 0;
    const r = await scan('hf://acme/tiny', { HF_TOKEN: TOKEN });
    assert.equal(r.code, 1, r.stderr);
    const report = r.report;
    assert.ok(report !== undefined);
    assert.deepEqual(
      report.hub?.repos.map((x) => [x.repo, x.revision, x.commit]),
      [['acme/tiny', 'main', MAIN]],
    );
    const byFile = new Map(report.files.map((f) => [f.hub?.file ?? f.path, f]));
    const st = byFile.get('model.safetensors');
    assert.equal(st?.path, `hf://acme/tiny@${MAIN}/model.safetensors`);
    assert.equal(st?.verdict, 'safe');
    assert.equal(st?.hub?.read, 'ranged');
    // The weights were never downloaded: the header and one block at most.
    const sent = hub.bytesSentFor('model.safetensors');
    assert.ok(sent < 1024 * 1024, `sent ${sent} bytes of a ${huge.size}-byte file`);
    const evil = byFile.get('sub/evil.pt');
    assert.equal(evil?.verdict, 'malicious');
    assert.equal(evil?.path, `hf://acme/tiny@${MAIN}/sub/evil.pt`);
    assert.equal(evil?.hub?.read, 'whole');
    assert.ok(evil?.findings.some((f) => f.ruleId === 'pickle/dangerous-global'));
    // The tree came in pages (Link: rel="next"), and every file was listed.
    assert.ok(hub.seen.filter((s) => s.path.includes('/tree/')).length >= 2);
    assert.ok(byFile.has('requirements.txt'));
    // The token goes to the Hub, never to the CDN host the LFS files redirect to.
    assert.ok(hub.seen.filter((s) => s.host === 'cdn').length > 0);
    assert.ok(hub.seen.filter((s) => s.host === 'cdn').every((s) => s.authorization === undefined));
    assert.ok(
      hub.seen.filter((s) => s.host === 'hub').every((s) => s.authorization === `Bearer ${TOKEN}`),
    );
  });

  it('a tag and a commit id resolve to the commit they name', async () => {
    const tag = await scan('hf://acme/tiny@v1.0');
    assert.equal(tag.code, 0, tag.stdout);
    assert.equal(tag.report?.hub?.repos[0]?.commit, TAGGED);
    assert.equal(tag.report?.files[0]?.path, `hf://acme/tiny@${TAGGED}/model.safetensors`);
    const commit = await scan(`hf://acme/tiny@${TAGGED}`);
    assert.equal(commit.report?.hub?.repos[0]?.commit, TAGGED);
    assert.equal(commit.report?.hub?.repos[0]?.revision, TAGGED);
  });

  it('a gated repository without a token, an unknown id and an unknown revision are reported, never safe', async () => {
    const gated = await scan('hf://acme/gated');
    assert.equal(gated.code, 3);
    assert.equal(gated.report?.files[0]?.format, 'unscanned');
    assert.match(gated.report?.files[0]?.findings[0]?.message ?? '', /gated repository/);
    const ok = await scan('hf://acme/gated', { HF_TOKEN: TOKEN });
    assert.equal(ok.code, 0, ok.stdout);
    assert.equal(ok.report?.files[0]?.verdict, 'safe');
    const missing = await scan('hf://acme/nope');
    assert.equal(missing.code, 3);
    assert.match(missing.report?.files[0]?.findings[0]?.message ?? '', /repository not found/);
    const rev = await scan('hf://acme/tiny@no-such-branch');
    assert.equal(rev.code, 3);
    assert.match(rev.report?.files[0]?.findings[0]?.message ?? '', /revision not found/);
  });

  it('500s, truncated answers, wrong LFS sizes, pointers and servers without ranges: per-file results, none safe', async () => {
    const r = await scan('hf://acme/faults');
    // Nothing could be read: the "no readable input" exit code.
    assert.equal(r.code, 3, r.stdout);
    const byFile = new Map(r.report?.files.map((f) => [f.hub?.file, f]));
    const expect: Record<string, RegExp> = {
      'a-500.safetensors': /answered 500/,
      'b-truncated.safetensors': /broke off|cut short|truncated/,
      'c-wrong-size.safetensors': /differs|LFS|tree lists/,
      'd-pointer.safetensors': /LFS pointer instead/,
      'e-truncated-big.safetensors': /broke off|truncated/,
      'f-pointer-big.safetensors': /LFS pointer says/,
      'g-no-range.safetensors': /does not answer ranged reads/,
      'h-pointer-committed.safetensors': /LFS pointer .* committed outside LFS/,
    };
    for (const [file, why] of Object.entries(expect)) {
      const entry = byFile.get(file);
      assert.ok(entry !== undefined, file);
      assert.notEqual(entry.verdict, 'safe', file);
      assert.equal(entry.format, 'unscanned', file);
      assert.match(entry.findings[0]?.message ?? '', why, `${file}: ${entry.findings[0]?.message}`);
    }
  });

  it('datasets use /api/datasets and /datasets/…/resolve', async () => {
    hub.seen.length = 0;
    const r = await scan('hf://datasets/acme/data');
    assert.equal(r.code, 1);
    assert.equal(r.report?.files[0]?.path, `hf://datasets/acme/data@${DATA}/data/evil.pt`);
    assert.equal(r.report?.files[0]?.verdict, 'malicious');
    assert.ok(hub.seen.some((s) => s.path.startsWith('/api/datasets/acme/data/revision/main')));
    assert.ok(hub.seen.some((s) => s.path.startsWith(`/datasets/acme/data/resolve/${DATA}/`)));
  });

  it('a torch zip read by ranges (central directory and data.pkl only) is judged as when read whole', async () => {
    const report = await scanHubRepository('hf://datasets/acme/data', {
      connection: { endpoint: hub.url, timeoutMs: 10_000 },
      wholeBytes: 0,
    });
    const f = report.files[0];
    assert.equal(f?.hub?.read, 'ranged');
    assert.equal(f?.verdict, 'malicious');
    assert.equal(f?.format, 'torch-zip');
  });

  it('HF_ENDPOINT names the Hub when --hf-endpoint is not given; bad ids are usage errors', async () => {
    const r = await runCli(['scan', 'hf://acme/tiny@v1.0', '-f', 'json', '--no-config'], {
      HF_ENDPOINT: hub.url,
    });
    assert.equal(r.code, 0, r.stderr);
    const bad = await runCli(['scan', 'hf://not a repo', '--hf-endpoint', hub.url]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a repository id/);
  });

  it('--format cyclonedx of a Hub repository: schema-valid, names the commit, model cards from README and config', async () => {
    const r = await runCli(
      ['scan', 'hf://acme/tiny', '--format', 'cyclonedx', '--no-config', '--hf-endpoint', hub.url],
      {},
    );
    assert.equal(r.code, 1, r.stderr);
    const bom = JSON.parse(r.stdout) as {
      metadata: { component: { purl?: string; version?: string } };
      components: {
        type: string;
        name: string;
        version?: string;
        hashes?: { content: string }[];
        modelCard?: { modelParameters?: Record<string, unknown> };
      }[];
    };
    assert.deepEqual(cycloneDxErrors(bom), []);
    assert.equal(bom.metadata.component.purl, `pkg:huggingface/acme/tiny@${MAIN}`);
    const st = bom.components.find((c) => c.name === 'model.safetensors');
    assert.equal(st?.type, 'machine-learning-model');
    assert.equal(st?.version, MAIN);
    // Read by ranges: the hash is the LFS object id the commit names.
    assert.equal(st?.hashes?.[0]?.content?.length, 64);
    assert.equal(st?.modelCard?.modelParameters?.task, 'text-classification');
    assert.equal(st?.modelCard?.modelParameters?.architectureFamily, 'bert');
    assert.ok(
      bom.components.some(
        (c) => c.type === 'library' && c.name === 'torch' && c.version === '2.6.0',
      ),
    );
  });
});
