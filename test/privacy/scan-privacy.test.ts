import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { scanPaths } from '../../src/engine/scan.js';
import { parseConfig } from '../../src/engine/config.js';
import { runCli } from '../helpers/cli-io.js';

const FIXTURES = 'test/fixtures/privacy';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'torchward-privacy-'));
}

function summary(report: Awaited<ReturnType<typeof scanPaths>>, path: string): string[] {
  const file = report.files.find((f) => f.path.endsWith(path));
  assert.ok(file, path);
  return file.findings
    .filter((f) => f.suppressed === undefined)
    .map((f) => `${f.ruleId}@${f.primary.line ?? '-'}:${f.primary.path.join('/')}:${f.severity}`);
}

describe('scan --privacy', () => {
  it('locates hits by line, record and column in CSV, JSONL and Parquet', async () => {
    const report = await scanPaths([FIXTURES], { privacy: true });
    assert.deepEqual(summary(report, 'people.csv'), [
      'privacy/email@2:1/email:low',
      'privacy/phone@2:1/notes:low',
      'privacy/uk-nhs@2:1/nhs_number:high',
      'privacy/email@3:2/email:info',
      'privacy/secret/aws@3:2/notes:info',
    ]);
    assert.deepEqual(summary(report, 'chat.jsonl'), [
      'privacy/ip-address@1:1/meta.ip:low',
      'privacy/us-ssn@1:1/text:high',
      'privacy/secret/github@2:2/text:high',
      'privacy/malformed-input@3::low',
      'privacy/email@3:3:low',
    ]);
    // Parquet written by pyarrow: rows and columns, no lines.
    assert.deepEqual(summary(report, 'people.parquet'), [
      'privacy/credit-card@-:1/note:high',
      'privacy/email@-:3/email:low',
      'privacy/email@-:1/email:low',
      'privacy/iban@-:2/note:medium',
    ]);
    const csv = report.files.find((f) => f.path.endsWith('people.csv'));
    assert.deepEqual(
      csv?.privacy?.columns.find((c) => c.column === 'email'),
      {
        column: 'email',
        entity: 'email',
        count: 2,
        examples: 1,
        sample: 'U***@***.com',
      },
    );
  });

  it('reads Arrow IPC: Feather files and Hugging Face datasets folders', async () => {
    const report = await scanPaths([FIXTURES], { privacy: true });
    assert.deepEqual(summary(report, 'people.feather'), [
      'privacy/credit-card@-:1/note:high',
      'privacy/email@-:3/email:low',
      'privacy/email@-:1/email:low',
      'privacy/iban@-:2/note:medium',
    ]);
    // pyarrow's default LZ4 frames, through torchward's bounded LZ4 codec: the same findings.
    assert.deepEqual(summary(report, 'people-lz4.feather'), summary(report, 'people.feather'));
    assert.deepEqual(summary(report, 'hf-dataset/data-00000-of-00001.arrow'), [
      'privacy/email@-:1/text:low',
      'privacy/us-ssn@-:3/text:high',
    ]);
    const info = report.files.find((f) => f.path.endsWith('hf-dataset/dataset_info.json'));
    assert.equal(info?.privacy?.format, 'json');
  });

  it('reports a lying Parquet footer instead of reading it', async () => {
    const report = await scanPaths([join(FIXTURES, 'lying-footer.parquet')], { privacy: true });
    const f = report.files[0]?.findings ?? [];
    assert.equal(f.length, 1);
    assert.equal(f[0]?.ruleId, 'privacy/malformed-input');
    assert.equal(f[0]?.severity, 'medium');
    assert.match(f[0]?.message ?? '', /\(BAD_STRUCTURE\)/);
  });

  it('runs from privacy: true in the config and not without it', async () => {
    const csv = join(FIXTURES, 'people.csv');
    const off = await scanPaths([csv]);
    assert.ok(!off.files.some((f) => f.findings.some((x) => x.ruleId.startsWith('privacy/'))));
    const on = await scanPaths([csv], { config: parseConfig('privacy: true\n', 'test') });
    assert.equal(on.files[0]?.privacy?.hits, 5);
  });

  it('prints entity and location.line in JSON and never a whole value', async () => {
    const r = await runCli(['scan', '--privacy', '--no-progress', '-f', 'json', FIXTURES]);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout);
    const file = json.files.find((f: { path: string }) => f.path.endsWith('chat.jsonl'));
    const ssn = file.findings.find((f: { ruleId: string }) => f.ruleId === 'privacy/us-ssn');
    assert.equal(ssn.entity, 'us-ssn');
    assert.equal(ssn.location.line, 1);
    for (const value of [
      '460-89-9847',
      'UtaKortig@jourrapide.com',
      '4454794511390933',
      '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',
      'GB56HXDO88167774656119',
      '943 476 5919',
    ])
      assert.ok(!r.stdout.includes(value), value);
    const text = await runCli(['scan', '--privacy', '--no-progress', FIXTURES]);
    assert.ok(!text.stdout.includes('460-89-9847'));
    assert.match(text.stdout, /chat\.jsonl:1:1 \(record 1, column text\)/);
  });

  it('bounds hostile inputs: deep JSON, binary cells, a million columns, a long line, gzip', async () => {
    const dir = tmp();
    // JSON nested 100,000 deep: parsed, walked to the limit, then searched as text.
    writeFileSync(
      join(dir, 'deep.jsonl'),
      `${'['.repeat(100_000)}"ssn 460-89-9847"${']'.repeat(100_000)}\n`,
    );
    writeFileSync(
      join(dir, 'binary.csv'),
      Buffer.concat([
        Buffer.from('id,blob\n1,'),
        Buffer.from([0xff, 0xfe, 0, 0x80]),
        Buffer.from('\n'),
      ]),
    );
    writeFileSync(join(dir, 'wide.csv'), `${'c,'.repeat(1_000_000)}last\n`);
    // One 3 MiB line (no newline) with a key near its end: read in windows, still found.
    writeFileSync(join(dir, 'long.txt'), `${'x '.repeat(1_500_000)}aws AKIALALEMEL33243OLIA`);
    writeFileSync(join(dir, 'cut.jsonl.gz'), gzipSync('{"a":"b@c.de"}\n').subarray(0, 12));
    const report = await scanPaths([dir], { privacy: true });
    assert.deepEqual(summary(report, 'deep.jsonl'), [
      'privacy/malformed-input@1::low',
      'privacy/us-ssn@1:1:high',
    ]);
    assert.match(
      report.files.find((f) => f.path.endsWith('binary.csv'))?.findings[0]?.message ?? '',
      /binary data.*\(BINARY_VALUE\) at line 2, column blob/,
    );
    assert.deepEqual(summary(report, 'wide.csv'), ['privacy/malformed-input@1::low']);
    // (The model scan has its own say on this text file; only the privacy findings matter here.)
    assert.deepEqual(
      summary(report, 'long.txt').filter((f) => f.startsWith('privacy/')),
      ['privacy/secret/aws@1::high'],
    );
    // The model scan reports the cut stream too; the privacy pass says reading stopped.
    assert.deepEqual(summary(report, 'cut.jsonl.gz'), [
      'archive/malformed-input@-::medium',
      'privacy/malformed-input@-::medium',
    ]);
  });
});

describe('redact', () => {
  it('replaces values with consistent placeholders and keeps the mapping apart', async () => {
    const dir = tmp();
    const input = join(dir, 'in.jsonl');
    writeFileSync(
      input,
      '{"id":1,"a":"mail UtaKortig@jourrapide.com","b":"UtaKortig@jourrapide.com"}\n' +
        '{"id":2,"a":"SueDHague@armyspy.com","n":3}\nplain 460-89-9847 text\n',
    );
    const r = await runCli(
      ['redact', '--mode', 'placeholder', '--mapping', 'map.json', 'in.jsonl', 'out.jsonl'],
      {},
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(join(dir, 'out.jsonl'), 'utf8'),
      '{"id":1,"a":"mail <EMAIL_1>","b":"<EMAIL_1>"}\n' +
        '{"id":2,"a":"<EMAIL_2>","n":3}\nplain <US_SSN_1> text\n',
    );
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'map.json'), 'utf8')), {
      '<EMAIL_1>': 'UtaKortig@jourrapide.com',
      '<EMAIL_2>': 'SueDHague@armyspy.com',
      '<US_SSN_1>': '460-89-9847',
    });
  });

  it('redacts CSV cells with a keyed HMAC, keeping rows and columns', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'key'), 'k'.repeat(32));
    const r = await runCli(
      [
        'redact',
        '--mode',
        'hmac',
        '--key-file',
        'key',
        join(process.cwd(), FIXTURES, 'people.csv'),
        'out.csv',
      ],
      {},
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const out = readFileSync(join(dir, 'out.csv'), 'utf8').split('\n');
    assert.equal(out[0], 'name,email,nhs_number,notes');
    assert.match(
      out[1] ?? '',
      /^Uta,<EMAIL:[0-9a-f]{16}>,<UK_NHS:[0-9a-f]{16}>,call <PHONE:[0-9a-f]{16}>$/,
    );
    assert.match(out[2] ?? '', /^Bob,<EMAIL:[0-9a-f]{16}>,,key <SECRET_AWS:[0-9a-f]{16}>$/);
    assert.equal(out.length, 4);
  });

  it('leaves no OUT (and no temporary file) when the input breaks midway', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'cut.jsonl.gz'),
      gzipSync('{"a":"b@c.de"}\n'.repeat(1000)).subarray(0, 40),
    );
    const r = await runCli(['redact', 'cut.jsonl.gz', 'out.jsonl'], {}, dir);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no output written/);
    assert.deepEqual(readdirSync(dir), ['cut.jsonl.gz']);
  });

  it('redacts hostile inputs whole: deep JSON, binary cells, a million columns', async () => {
    const dir = tmp();
    const deep = `${'['.repeat(100_000)}"ssn 460-89-9847"${']'.repeat(100_000)}\n`;
    writeFileSync(join(dir, 'deep.jsonl'), deep);
    let r = await runCli(
      ['redact', '--mode', 'placeholder', 'deep.jsonl', 'deep.out.jsonl'],
      {},
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    // Too deep to rebuild: redacted as text, brackets kept.
    assert.equal(
      readFileSync(join(dir, 'deep.out.jsonl'), 'utf8'),
      deep.replace('460-89-9847', '<US_SSN_1>'),
    );
    writeFileSync(
      join(dir, 'binary.csv'),
      Buffer.concat([
        Buffer.from('id,blob\n1,'),
        Buffer.from([0xff, 0, 0x80]),
        Buffer.from(' a@b.de\n'),
      ]),
    );
    r = await runCli(['redact', '--mode', 'placeholder', 'binary.csv', 'binary.out.csv'], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(join(dir, 'binary.out.csv'), 'utf8'),
      'id,blob\n1,\uFFFD\u0000\uFFFD <EMAIL_1>\n',
    );
    writeFileSync(
      join(dir, 'wide.csv'),
      `${'c,'.repeat(1_000_000)}last\n${'1,'.repeat(1_000_000)}a@b.de\n`,
    );
    r = await runCli(['redact', '--mode', 'placeholder', 'wide.csv', 'wide.out.csv'], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    const out = readFileSync(join(dir, 'wide.out.csv'), 'utf8').split('\n');
    assert.equal(out.length, 3);
    assert.equal(out[1]?.split(',').length, 1_000_001);
    assert.ok(out[1]?.endsWith(',<EMAIL_1>'));
  });
});
