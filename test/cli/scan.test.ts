import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { githubSarifProblems } from '../helpers/github-sarif.js';
import { sarifErrors } from '../helpers/sarif-schema.js';

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');

function torchward(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Protocol 2 pickles written byte by byte: {'a': 1} and GLOBAL posix.system + REDUCE('true').
const BENIGN = Buffer.from('80027d710058010000006171014b01732e', 'hex');
const EVIL = Buffer.concat([
  Buffer.from('\x80\x02cposix\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.', 'latin1'),
]);

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-cli-'));
  mkdirSync(join(dir, 'models', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'models', 'ok.pkl'), BENIGN);
  writeFileSync(join(dir, 'models', 'sub', 'EVIL.TXT'), EVIL);
  writeFileSync(join(dir, 'models', 'README.md'), '# notes\n');
  return dir;
}

describe('torchward scan (CLI)', () => {
  it('installs an executable bin (shebang and mode), as npx and shells run it', () => {
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('exits 0 on a safe file and 1 on a malicious one renamed to .TXT', () => {
    const dir = workspace();
    assert.equal(torchward(['scan', 'models/ok.pkl'], dir).code, 0);
    const evil = torchward(['scan', 'models/sub/EVIL.TXT'], dir);
    assert.equal(evil.code, 1);
    assert.match(evil.stdout, /malicious/);
  });

  it('emits one valid JSON document with paths as the user named them', () => {
    const dir = workspace();
    const r = torchward(['scan', '--format', 'json', 'models'], dir);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.version, 1);
    const paths = doc.files.map((f: { path: string }) => f.path).sort();
    assert.deepEqual(paths, ['models/ok.pkl', 'models/sub/EVIL.TXT']);
    const evil = doc.files.find((f: { path: string }) => f.path === 'models/sub/EVIL.TXT');
    assert.equal(evil.verdict, 'malicious');
    assert.ok(
      evil.findings.some(
        (f: { location: { offset?: number } }) => typeof f.location.offset === 'number',
      ),
    );
    assert.deepEqual(doc.summary.skipped, ['models/README.md']);
  });

  it('emits SARIF that validates against the official schema', () => {
    const dir = workspace();
    const r = torchward(['scan', '-f', 'sarif', 'models'], dir);
    const log = JSON.parse(r.stdout);
    assert.deepEqual(sarifErrors(log), []);
    assert.deepEqual(githubSarifProblems(log), []);
    assert.ok(log.runs[0].results.length > 0);
  });

  it('writes SARIF paths relative to the working directory, even when named absolute', () => {
    const dir = workspace();
    const r = torchward(['scan', '-f', 'sarif', join(dir, 'models')], dir);
    const log = JSON.parse(r.stdout);
    assert.deepEqual(githubSarifProblems(log), []);
    for (const a of log.runs[0].artifacts as { location: { uri: string; uriBaseId: string } }[]) {
      assert.match(a.location.uri, /^models\//);
      assert.equal(a.location.uriBaseId, '%SRCROOT%');
    }
  });

  it('writes the report to --output and nothing to stdout', () => {
    const dir = workspace();
    const r = torchward(['scan', '-f', 'json', '-o', 'report.json', 'models/ok.pkl'], dir);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(
      JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).files[0].verdict,
      'safe',
    );
  });

  it('honours --exclude', () => {
    const dir = workspace();
    const r = torchward(['scan', '-f', 'json', '--exclude', 'sub', 'models'], dir);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).files.length, 1);
  });

  it('exits 2 on usage errors and 3 when nothing is readable', () => {
    const dir = workspace();
    assert.equal(torchward(['scan', '--format', 'xml', 'models'], dir).code, 2);
    assert.equal(torchward(['scan', '--bogus'], dir).code, 2);
    assert.equal(torchward(['scan', '--fail-on', 'loud', 'models'], dir).code, 2);
    assert.equal(torchward(['frobnicate'], dir).code, 2);
    assert.equal(torchward(['scan', 'does-not-exist'], dir).code, 3);
  });

  it('does not follow a symbolic link out of the scanned folder', () => {
    const dir = workspace();
    const outside = mkdtempSync(join(tmpdir(), 'torchward-outside-'));
    writeFileSync(join(outside, 'evil.pkl'), EVIL);
    symlinkSync(join(outside, 'evil.pkl'), join(dir, 'models', 'link.pkl'));
    const r = torchward(['scan', '-f', 'json', 'models'], dir);
    const doc = JSON.parse(r.stdout);
    // Not followed, and not silent either: an unscanned entry that fails the run (issue 12).
    const link = doc.files.find((f: { path: string }) => f.path === 'models/link.pkl');
    assert.equal(link.format, 'unscanned');
    assert.equal(link.verdict, null);
    assert.equal(r.code, 1);
    assert.ok(doc.summary.unreadable.some((u: { path: string }) => u.path === 'models/link.pkl'));
  });

  it('refuses to lift a gadget with --allow-global, saying why', () => {
    // The library still scans such a file as malicious whatever allowGlobals says
    // (test/rules/pickle/rules.test.ts); the CLI refuses the setting outright.
    const dir = workspace();
    const r = torchward(['scan', '--allow-global', 'posix.system', 'models/sub/EVIL.TXT'], dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /'posix\.system' is a known .* gadget .*cannot be lifted/);
  });

  it("audits the project's own workflows cleanly, whichever folder is named", () => {
    const repo = process.cwd();
    for (const [cwd, arg] of [
      [repo, '.github'],
      [join(repo, '.github'), 'workflows'],
    ] as const) {
      const r = torchward(['scan', '-f', 'json', arg], cwd);
      const doc = JSON.parse(r.stdout);
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(
        doc.files.map((f: { format: string; findings: unknown[] }) => [
          f.format,
          f.findings.length,
        ]),
        [['workflow', 0]],
      );
    }
  });

  it('prints no colour codes with NO_COLOR and in machine formats', () => {
    const dir = workspace();
    assert.doesNotMatch(torchward(['scan', 'models'], dir).stdout, /\u001b\[/);
    assert.doesNotMatch(
      torchward(['scan', '-f', 'json', 'models'], dir, { NO_COLOR: '' }).stdout,
      /\u001b\[/,
    );
  });
});
