import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sarifErrors } from '../helpers/sarif-schema.js';

// Issue 12 items 1 and 2: nothing the scanned content says switches its scan off, and nothing
// left unscanned passes silently.

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');

function torchward(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Real torch 1.13 writes both checkpoints: a state dict, and a torch zip whose data.pkl reduces
// to os.system (pickling a __reduce__ object records the call; nothing runs).
const WRITE = `
import os, sys, torch
class Evil:
    def __reduce__(self):
        return (os.system, ('true',))
torch.save({'w': torch.arange(4, dtype=torch.float32)}, sys.argv[1])
torch.save(Evil(), sys.argv[2])
`;

function checkpoints(dir: string): { benign: string; evil: string } {
  const benign = join(dir, 'benign.pt');
  const evil = join(dir, 'evil.pt');
  execFileSync('/usr/bin/python3', ['-c', WRITE, benign, evil]);
  return { benign, evil };
}

interface Doc {
  files: {
    path: string;
    format: string;
    verdict: string | null;
    aliases?: string[];
    findings: { ruleId: string; severity: string }[];
  }[];
  summary: {
    files: number;
    unscanned: number;
    malicious: number;
    config: { path: string | null; ignoredConfigs: string[]; excluded: number; ignored: number };
  };
}

/** A downloaded model folder that ships a config excluding its own malicious checkpoint. */
function hostileFolder(): { root: string; model: string; made: { benign: string; evil: string } } {
  const root = mkdtempSync(join(tmpdir(), 'torchward-trust-'));
  const made = checkpoints(mkdtempSync(join(tmpdir(), 'torchward-made-')));
  const model = join(root, 'downloads', 'org-model');
  mkdirSync(model, { recursive: true });
  execFileSync('cp', [made.evil, join(model, 'pytorch_model.bin')]);
  writeFileSync(
    join(model, 'torchward.yml'),
    "exclude: ['pytorch_model.bin']\nignore:\n  pickle/dangerous-global: true\n",
  );
  return { root, model, made };
}

describe('scan: configuration from scanned content never weakens a scan (issue 12.1)', () => {
  it('ignores a torchward.yml inside the scanned folder and names it in every format', () => {
    const { root } = hostileFolder();
    const text = torchward(['scan', 'downloads/org-model'], root);
    assert.equal(text.code, 1, text.stdout);
    assert.match(text.stdout, /malicious\s+downloads\/org-model\/pytorch_model\.bin/);
    assert.match(text.stdout, /config: none \(excluded 0 path\(s\), ignored 0 finding\(s\)\)/);
    assert.match(text.stdout, /notice: downloads\/org-model\/torchward\.yml was not read/);

    const json = torchward(['scan', '-f', 'json', 'downloads/org-model'], root);
    assert.equal(json.code, 1);
    const doc = JSON.parse(json.stdout) as Doc;
    assert.equal(doc.summary.malicious, 1);
    assert.deepEqual(doc.summary.config, {
      path: null,
      ignoredConfigs: ['downloads/org-model/torchward.yml'],
      excluded: 0,
      ignored: 0,
    });
    assert.match(json.stderr, /notice: downloads\/org-model\/torchward\.yml was not read/);

    const sarif = torchward(['scan', '-f', 'sarif', 'downloads/org-model'], root);
    assert.equal(sarif.code, 1);
    const log = JSON.parse(sarif.stdout);
    assert.deepEqual(sarifErrors(log), []);
    assert.deepEqual(log.runs[0].properties, {
      config: null,
      ignoredConfigs: ['downloads/org-model/torchward.yml'],
      excluded: 0,
      ignored: 0,
      unscanned: 0,
    });
  });

  it('ignores it too when the scan starts from the folder above', () => {
    const { root } = hostileFolder();
    const r = torchward(['scan', '-f', 'json', 'downloads'], root);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.equal(doc.summary.malicious, 1);
    assert.deepEqual(doc.summary.config.ignoredConfigs, ['downloads/org-model/torchward.yml']);
  });

  it("reads the current repository's config (up to the .git root) and counts what it removed", () => {
    const { root } = hostileFolder();
    // The user's own repository: its config excludes a folder of notes and ignores a workflow rule.
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'notes'));
    writeFileSync(join(root, 'notes', 'a.pkl'), 'junk');
    mkdirSync(join(root, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(root, '.github', 'workflows', 'ci.yml'),
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n',
    );
    writeFileSync(
      join(root, 'torchward.yml'),
      "exclude: ['notes']\nignore:\n  ci/unpinned-action: true\n  ci/excessive-permissions: true\n  ci/persist-credentials: true\n",
    );
    const sub = join(root, 'downloads');
    const r = torchward(['scan', '-f', 'json', '..'], sub);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.equal(doc.summary.config.path, '../torchward.yml');
    assert.equal(doc.summary.config.excluded, 1);
    assert.ok(doc.summary.config.ignored >= 1, JSON.stringify(doc.summary.config));
    // Its own config is the one used; the model folder's is still refused.
    assert.deepEqual(doc.summary.config.ignoredConfigs, ['../downloads/org-model/torchward.yml']);
    assert.equal(doc.summary.malicious, 1);
    assert.equal(r.code, 1);
  });

  it('uses a config named with --config, wherever it is, and says what it removed', () => {
    const { root } = hostileFolder();
    const r = torchward(
      ['scan', '-f', 'json', '--config', 'downloads/org-model/torchward.yml', 'downloads'],
      root,
    );
    const doc = JSON.parse(r.stdout) as Doc;
    assert.equal(doc.summary.config.path, 'downloads/org-model/torchward.yml');
    assert.equal(doc.summary.config.excluded, 1);
    assert.deepEqual(doc.summary.config.ignoredConfigs, []);
    const text = torchward(
      ['scan', '--config', 'downloads/org-model/torchward.yml', 'downloads'],
      root,
    );
    assert.match(
      text.stdout,
      /config: downloads\/org-model\/torchward\.yml \(excluded 1 path\(s\), ignored 0 finding\(s\)\)/,
    );
  });
});

describe('scan: nothing unscanned is silent (issue 12.2)', () => {
  it('makes missing paths and links that lead nowhere or out of the folder fail the run', () => {
    const root = mkdtempSync(join(tmpdir(), 'torchward-unscanned-'));
    const made = checkpoints(root);
    const model = join(root, 'model');
    mkdirSync(model);
    execFileSync('cp', [made.benign, join(model, 'pytorch_model.bin')]);
    symlinkSync(made.evil, join(model, 'escape.bin'));
    symlinkSync('missing-target', join(model, 'dangling.bin'));
    const r = torchward(['scan', '-f', 'json', 'model', 'not-there.pt'], root);
    assert.equal(r.code, 1, r.stdout);
    const doc = JSON.parse(r.stdout) as Doc;
    const unscanned = doc.files
      .filter((f) => f.format === 'unscanned')
      .map((f) => [f.path, f.verdict, f.findings.map((x) => `${x.ruleId}:${x.severity}`)]);
    assert.deepEqual(unscanned.sort(), [
      ['model/dangling.bin', null, ['model/unscanned:high']],
      ['model/escape.bin', null, ['model/unscanned:high']],
      ['not-there.pt', null, ['model/unscanned:high']],
    ]);
    assert.equal(doc.summary.unscanned, 3);
    assert.equal(doc.files.find((f) => f.path === 'model/pytorch_model.bin')?.verdict, 'safe');

    const text = torchward(['scan', 'model', 'not-there.pt'], root);
    assert.match(text.stdout, /1 file\(s\) scanned, 3 not scanned/);
    // The severity is the user's to choose; below --fail-on the safe rest passes.
    const lowered = torchward(
      ['scan', '--unscanned-severity', 'info', 'model', 'not-there.pt'],
      root,
    );
    assert.equal(lowered.code, 0, lowered.stdout);
    assert.equal(torchward(['scan', '--unscanned-severity', 'loud', 'model'], root).code, 2);
    // Nothing readable at all is still exit 3.
    assert.equal(torchward(['scan', 'not-there.pt'], root).code, 3);
  });

  it("follows the Hugging Face cache's snapshot links to blobs and scans each blob once", () => {
    const root = mkdtempSync(join(tmpdir(), 'torchward-hfcache-'));
    const made = checkpoints(root);
    const repo = join(root, 'hub', 'models--org--name');
    mkdirSync(join(repo, 'blobs'), { recursive: true });
    mkdirSync(join(repo, 'snapshots', 'abc123'), { recursive: true });
    mkdirSync(join(repo, 'refs'));
    writeFileSync(join(repo, 'refs', 'main'), 'abc123');
    execFileSync('cp', [made.evil, join(repo, 'blobs', 'e3b0c44298fc')]);
    execFileSync('cp', [made.benign, join(repo, 'blobs', '5f70bf18a086')]);
    symlinkSync('../../blobs/e3b0c44298fc', join(repo, 'snapshots', 'abc123', 'pytorch_model.bin'));
    symlinkSync('../../blobs/5f70bf18a086', join(repo, 'snapshots', 'abc123', 'extra.pt'));
    const r = torchward(['scan', '-f', 'json', 'hub/models--org--name'], root);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as Doc;
    const models = doc.files.filter((f) => f.verdict !== null);
    assert.deepEqual(
      models.map((f) => [f.path, f.verdict, f.aliases]),
      [
        [
          'hub/models--org--name/blobs/5f70bf18a086',
          'safe',
          ['hub/models--org--name/snapshots/abc123/extra.pt'],
        ],
        [
          'hub/models--org--name/blobs/e3b0c44298fc',
          'malicious',
          ['hub/models--org--name/snapshots/abc123/pytorch_model.bin'],
        ],
      ],
    );
    assert.equal(doc.summary.unscanned, 0);
    // A snapshot folder scanned alone: its links stay inside the cache's repository folder
    // (into blobs/), so they are followed and both files are judged (#22 item 6).
    const alone = torchward(['scan', '-f', 'json', 'hub/models--org--name/snapshots/abc123'], root);
    assert.equal(alone.code, 1);
    const aloneDoc = JSON.parse(alone.stdout) as Doc;
    assert.equal(aloneDoc.summary.unscanned, 0);
    assert.deepEqual(
      aloneDoc.files.filter((f) => f.verdict !== null).map((f) => [f.path, f.verdict]),
      [
        ['hub/models--org--name/snapshots/abc123/extra.pt', 'safe'],
        ['hub/models--org--name/snapshots/abc123/pytorch_model.bin', 'malicious'],
      ],
    );
  });

  it('keeps a malformed safetensors file in a directory report', () => {
    const root = mkdtempSync(join(tmpdir(), 'torchward-badst-'));
    mkdirSync(join(root, 'model'));
    // A header length of 1 and no JSON: no format signature matches.
    const bad = Buffer.alloc(16);
    bad.writeBigUInt64LE(1n, 0);
    writeFileSync(join(root, 'model', 'model.safetensors'), bad);
    writeFileSync(join(root, 'model', 'short.safetensors'), Buffer.from([1, 2, 3]));
    const r = torchward(['scan', '-f', 'json', 'model'], root);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.deepEqual(
      doc.files.map((f) => [f.path, f.verdict]),
      [
        ['model/model.safetensors', 'invalid'],
        ['model/short.safetensors', 'invalid'],
      ],
    );
  });
});
