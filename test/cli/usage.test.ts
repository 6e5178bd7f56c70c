import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

// Usage errors are one line on stderr and exit 2, never a stack trace; every command takes the
// same output options; settings that would do nothing (a misspelt rule id, a gadget declared
// benign, a password in argv) are refused or warned about.

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');
const BENIGN = Buffer.from('80027d710058010000006171014b01732e', 'hex');

function torchward(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'torchward-usage-'));
  mkdirSync(join(dir, 'models'));
  writeFileSync(join(dir, 'models', 'ok.pkl'), BENIGN);
  return dir;
}

/** Exit 2 with exactly one line on stderr, no stack frame in it. */
function assertUsage(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/);
}

describe('CLI usage errors', () => {
  it('suggests the option meant for an unknown one', () => {
    const dir = workspace();
    assertUsage(
      torchward(['scan', '--formt', 'json', 'models'], dir),
      /^torchward scan: unknown option '--formt' \(did you mean '--format'\?\)/,
    );
    assertUsage(
      torchward(['verify', 'models', '--public-kye', 'k.pub'], dir),
      /unknown option '--public-kye' \(did you mean '--public-key'\?\)/,
    );
    assertUsage(
      torchward(['hash', '--zzzzzzzz', 'models'], dir),
      /unknown option '--zzzzzzzz'$|'--zzzzzzzz';/,
    );
  });

  it('suggests the command meant for an unknown one', () => {
    assertUsage(torchward(['scna'], '.'), /unknown command 'scna' \(did you mean 'scan'\?\)/);
  });

  it('refuses --config with --no-config', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'torchward.yml'), 'fail-on: high\n');
    assertUsage(
      torchward(['scan', '--config', 'torchward.yml', '--no-config', 'models'], dir),
      /--config and --no-config cannot be used together/,
    );
  });

  it('refuses a bad workflow section of the config as it refuses any other key', () => {
    // runners/ignore/forbidden-uses go through the one config parser: the same one line, exit 2,
    // and the same "unknown key … (known: …)" style as a misspelt top-level key.
    const dir = workspace();
    for (const [text, pattern] of [
      ['fail-onn: high\n', /torchward\.yml: unknown key 'fail-onn' \(known: allow-globals, /],
      [
        'runners:\n  persistant: [big-box]\n',
        /torchward\.yml: runners: unknown key 'persistant' \(known: ephemeral, persistent\); see /,
      ],
      ['runners: [big-box]\n', /torchward\.yml: runners must be a mapping; see /],
      [
        'ignore:\n  ci/unpinned-action: false\n',
        /torchward\.yml: ignore\.ci\/unpinned-action must be true or a list of path globs; see /,
      ],
      ['forbidden-uses:\n  deny: ["*/*"]\n', /torchward\.yml: forbidden-uses.*not a uses pattern/],
    ] as const) {
      writeFileSync(join(dir, 'torchward.yml'), text);
      assertUsage(torchward(['scan', '--config', 'torchward.yml', 'models'], dir), pattern);
    }
  });

  it('refuses -o into a missing folder or onto a folder before scanning', () => {
    const dir = workspace();
    assertUsage(
      torchward(['scan', '-o', 'no/such/dir/report.json', 'models'], dir),
      /--output no\/such\/dir\/report\.json: the folder no\/such\/dir does not exist/,
    );
    assertUsage(
      torchward(['hash', '--output', 'models', 'models'], dir),
      /--output models: is a folder/,
    );
    writeFileSync(join(dir, 'file'), 'x');
    assertUsage(
      torchward(['inspect', '-o', 'file/out.json', 'models/ok.pkl'], dir),
      /not a folder/,
    );
  });

  it(
    'refuses -o into a folder it cannot write',
    { skip: process.getuid?.() === 0 ? 'root may write into any folder' : false },
    () => {
      const dir = workspace();
      mkdirSync(join(dir, 'ro'));
      chmodSync(join(dir, 'ro'), 0o500);
      assertUsage(torchward(['scan', '-o', 'ro/r.json', 'models'], dir), /is not writable/);
    },
  );

  it('takes -o/--output and -f/--format on every command', () => {
    for (const command of ['scan', 'inspect', 'convert', 'hash', 'sign', 'verify', 'redact']) {
      const help = torchward([command, '--help'], '.');
      assert.equal(help.code, 0);
      assert.match(help.stdout, /-f, --format/, command);
      assert.match(help.stdout, /-o, --output/, command);
    }
    const dir = workspace();
    const hash = torchward(['hash', '-f', 'json', '-o', 'sums.json', 'models'], dir);
    assert.equal(hash.code, 0, hash.stderr);
    assert.equal(hash.stdout, '');
    assert.equal(JSON.parse(readFileSync(join(dir, 'sums.json'), 'utf8')).version, 1);
    const inspect = torchward(['inspect', '--output=t.json', '-f', 'json', 'models/ok.pkl'], dir);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.ok(readFileSync(join(dir, 't.json'), 'utf8').length > 0);
    const convert = torchward(['convert', '-f', 'json', 'models/ok.pkl', '-o', 'ok.st'], dir);
    assert.ok(convert.code === 0 || convert.code === 1, convert.stderr);
  });

  it('parses redact and convert like every other command', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'in.jsonl'), '{"who":"UtaKortig@jourrapide.com"}\n');
    assertUsage(
      torchward(['redact', '--mod', 'mask', 'in.jsonl', 'out.jsonl'], dir),
      /^torchward redact: unknown option '--mod' \(did you mean '--mode'\?\)/,
    );
    assertUsage(
      torchward(['convert', '--forse', 'models/ok.pkl'], dir),
      /^torchward convert: unknown option '--forse' \(did you mean '--force'\?\)/,
    );
    // OUT into a missing folder: one line and exit 2 before anything is read (was a stack trace).
    assertUsage(
      torchward(['redact', 'in.jsonl', 'no/such/out.jsonl'], dir),
      /OUT no\/such\/out\.jsonl: the folder no\/such does not exist/,
    );
    assertUsage(
      torchward(['redact', '--format', 'csv', 'in.jsonl', 'out.jsonl'], dir),
      /--format is the report format .* --input-format csv/,
    );
    assertUsage(
      torchward(['redact', 'in.jsonl', 'a.jsonl', '-o', 'b.jsonl'], dir),
      /give OUT once/,
    );
    assertUsage(torchward(['convert', '-f', 'yaml', 'models/ok.pkl'], dir), /format/);
    const json = torchward(['redact', '-f', 'json', 'in.jsonl', '-o', 'out.jsonl'], dir);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { redacted: number; entities: object };
    assert.equal(report.redacted, 1);
    assert.deepEqual(Object.keys(report.entities), ['email']);
    assert.doesNotMatch(readFileSync(join(dir, 'out.jsonl'), 'utf8'), /UtaKortig@jourrapide/);
    const text = torchward(['redact', '--input-format', 'jsonl', 'in.jsonl', 'out2.txt'], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^redacted 1 value\(s\): email 1 → out2\.txt\n$/);
  });

  it('refuses a gadget given to --allow-global or allow-globals', () => {
    const dir = workspace();
    assertUsage(
      torchward(['scan', '--allow-global', 'os.system', 'models'], dir),
      /'os\.system' is a known process gadget .*cannot be lifted/,
    );
    writeFileSync(join(dir, 'torchward.yml'), 'allow-globals: [builtins.eval]\n');
    assertUsage(torchward(['scan', 'models'], dir), /'builtins\.eval' is a known .* gadget/);
    // A benign global is still accepted.
    writeFileSync(join(dir, 'torchward.yml'), '\n');
    assert.equal(torchward(['scan', '--allow-global', 'mypkg.Config', 'models'], dir).code, 0);
  });

  it('warns about unknown rule ids in the config and in ignore comments', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'torchward.yml'), 'ignore:\n  ci/unpined-action: true\n');
    mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
    writeFileSync(
      join(dir, '.github', 'workflows', 'ci.yml'),
      'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi # torchward: ignore[ci/excesive-permissions] typo\n',
    );
    const r = torchward(['scan', '.'], dir);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(
      r.stderr,
      /warning: (?:\S*\/)?torchward\.yml: ignore: unknown rule id 'ci\/unpined-action' \(did you mean 'ci\/unpinned-action'\?\)/,
    );
    assert.match(
      r.stderr,
      /warning: (\.\/)?\.github\/workflows\/ci\.yml:7: ignore comment names 'ci\/excesive-permissions'.*did you mean 'ci\/excessive-permissions'/,
    );
  });
});

describe('secrets', () => {
  it('refuses a key password in argv and reads it from a file or the environment', () => {
    const dir = workspace();
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-aes-256-cbc',
      '-pass',
      'pass:hunter2',
      '-out',
      join(dir, 'enc.pem'),
    ]);
    assertUsage(
      torchward(['sign', 'models', '--private-key', 'enc.pem', '--password', 'hunter2'], dir),
      /a password on the command line can be read by other users/,
    );
    writeFileSync(join(dir, 'pw'), 'hunter2\n');
    const fromFile = torchward(
      ['sign', 'models', '--private-key', 'enc.pem', '--password-file', 'pw'],
      dir,
    );
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const fromEnv = torchward(['sign', 'models', '--private-key', 'enc.pem'], dir, {
      TORCHWARD_KEY_PASSWORD: 'hunter2',
    });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    const wrong = torchward(['sign', 'models', '--private-key', 'enc.pem'], dir, {
      TORCHWARD_KEY_PASSWORD: 'wrong',
    });
    assert.equal(wrong.code, 1, wrong.stderr);
  });
});
