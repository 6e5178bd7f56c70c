import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/run.js';
import { CharNgram, serveModel } from '../helpers/char-ngram.js';
import type { ModelServer } from '../helpers/char-ngram.js';

// Hostile and broken inputs for `torchward canary` and `torchward memorization`, the operations
// (retries, budget, resumable log) and the HTML report in a real headless chromium.

const dir = mkdtempSync(join(tmpdir(), 'torchward-memorization-bad-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
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
    cwd: dir,
  };
  const code = await main(args, io);
  return { code, out, err };
}

describe('torchward canary: impossible formats and datasets', () => {
  for (const [format, message] of [
    ['no slot here', /no random slot/],
    ['{digits:9} first', /must start with literal text/],
    ['x {digits:0}', /1 <= N <= 64/],
    ['x {digits:65}', /1 <= N <= 64/],
    ['x {emoji:3}', /unknown slot/],
    ['x {digits:3', /unclosed/],
    ['x {digits:3}{hex:2}', /follows another slot/],
    ['x {words:2}', /word list/],
    ['x {digits:1}', /too small/],
  ] as const) {
    it(`refuses ${JSON.stringify(format)}`, async () => {
      const r = await run([
        'canary',
        'generate',
        '--count',
        '3',
        '--format',
        format,
        '--seed',
        's',
        '-o',
        'c.json',
      ]);
      assert.equal(r.code, 3, r.err);
      assert.match(r.err, message);
      assert.equal(existsSync(join(dir, 'c.json')), false);
    });
  }

  it('needs a seed and never writes it', async () => {
    assert.equal(
      (await run(['canary', 'generate', '--count', '3', '--format', 'x {hex:8}', '-o', 'c.json']))
        .code,
      2,
    );
    writeFileSync(join(dir, 'words.txt'), 'alpha\nbravo\ncharlie\ndelta\n');
    const r = await run([
      'canary',
      'generate',
      '--count',
      '3',
      '--format',
      'pass: {words:3} end',
      '--words',
      'words.txt',
      '--seed',
      'hunter2-seed',
      '-o',
      'w.json',
    ]);
    assert.equal(r.code, 0, r.err);
    const text = readFileSync(join(dir, 'w.json'), 'utf8');
    assert.ok(!text.includes('hunter2-seed'));
    for (const c of JSON.parse(text).canaries)
      assert.match(
        c.text,
        /^pass: (?:alpha|bravo|charlie|delta)(?: (?:alpha|bravo|charlie|delta)){2} end$/,
      );
  });

  it('inserts into JSONL and CSV at recorded positions and leaves nothing on error', async () => {
    assert.equal(
      (
        await run([
          'canary',
          'generate',
          '--count',
          '2',
          '--format',
          'id "{hex:6}", ok',
          '--seed',
          's',
          '-o',
          'h.json',
        ])
      ).code,
      0,
    );
    writeFileSync(join(dir, 'd.jsonl'), '{"text":"a"}\n{"text":"b"}\n{"text":"c"}\n');
    let r = await run([
      'canary',
      'insert',
      'd.jsonl',
      'h.json',
      '--repeats',
      '1,3',
      '--seed',
      'x',
      '-o',
      'o.jsonl',
    ]);
    assert.equal(r.code, 0, r.err);
    let manifest = JSON.parse(readFileSync(join(dir, 'o.jsonl.canaries.json'), 'utf8'));
    const lines = readFileSync(join(dir, 'o.jsonl'), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 7);
    for (const c of manifest.canaries)
      for (const p of c.positions) assert.equal(JSON.parse(lines[p - 1]!).text, c.text);
    writeFileSync(join(dir, 'd.csv'), 'id,text\n1,"hello, ""world""\nline two"\n2,plain\n');
    r = await run([
      'canary',
      'insert',
      'd.csv',
      'h.json',
      '--repeats',
      '2',
      '--seed',
      'x',
      '-o',
      'o.csv',
    ]);
    assert.equal(r.code, 0, r.err);
    manifest = JSON.parse(readFileSync(join(dir, 'o.csv.canaries.json'), 'utf8'));
    const out = readFileSync(join(dir, 'o.csv'), 'utf8');
    assert.ok(out.startsWith('id,text\n'));
    assert.ok(out.includes('1,"hello, ""world""\nline two"\n'));
    assert.equal((out.match(/,"id ""[0-9a-f]{6}"", ok"/g) ?? []).length, 4);
    // A broken dataset: the error is clear and neither output file appears.
    writeFileSync(join(dir, 'bad.jsonl'), '{"text":"a"}\nnot json\n');
    r = await run([
      'canary',
      'insert',
      'bad.jsonl',
      'h.json',
      '--repeats',
      '1',
      '-o',
      'bad-out.jsonl',
    ]);
    assert.equal(r.code, 3);
    assert.match(r.err, /record 2 .* not JSON/);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('bad-out') || f.endsWith('.tmp')),
      [],
    );
  });

  it('refuses a hand-edited canary that is outside the format space', async () => {
    const file = JSON.parse(readFileSync(join(dir, 'h.json'), 'utf8'));
    file.canaries[0].text = 'id "zzzzzz", ok';
    writeFileSync(join(dir, 'edited.json'), JSON.stringify(file));
    const r = await run([
      'canary',
      'insert',
      'd.jsonl',
      'edited.json',
      '--repeats',
      '1',
      '-o',
      'e.jsonl',
    ]);
    assert.equal(r.code, 3);
    assert.match(r.err, /does not match the format/);
  });
});

describe('torchward memorization: broken endpoints and operations', () => {
  let server: ModelServer;
  before(async () => {
    const model = new CharNgram(6, 5);
    const lines: string[] = [];
    for (let i = 0; i < 200; i++)
      lines.push(`record ${(i * 7919) % 1000} says hello to ${(i * 104729) % 977}`);
    model.train(lines.join('\n'));
    writeFileSync(join(dir, 'm.txt'), lines.slice(0, 40).join('\n'));
    writeFileSync(
      join(dir, 'n.txt'),
      lines
        .slice(40, 80)
        .map((l) => l.replace('hello', 'bye'))
        .join('\n'),
    );
    server = await serveModel(model);
    const r = await run([
      'canary',
      'generate',
      '--count',
      '4',
      '--format',
      'pin is {digits:3}',
      '--seed',
      'q',
      '-o',
      'pin.json',
    ]);
    assert.equal(r.code, 0, r.err);
  });
  after(async () => {
    await server.close();
  });

  for (const [mode, code] of [
    ['no-logprobs', /no-logprobs/],
    ['nan', /non-finite-logprob/],
    ['missing-token', /missing-tokens/],
  ] as const) {
    it(`fails clearly, with no result, when the endpoint answers ${mode}`, async () => {
      server.mode = mode;
      try {
        const r = await run([
          'memorization',
          '--target',
          server.url,
          '--canaries',
          'pin.json',
          '--retries',
          '0',
        ]);
        assert.equal(r.code, 3, r.err);
        assert.match(r.err, code);
        assert.match(r.err, /nothing is reported as safe/);
        assert.equal(r.out, '');
      } finally {
        server.mode = 'ok';
      }
    });
  }

  it('scores canaries whose tokens straddle the prefix/secret boundary, and flags them', async () => {
    server.tokenLength = 3;
    try {
      const r = await run([
        'memorization',
        '--target',
        server.url,
        '--canaries',
        'pin.json',
        '--format',
        'json',
      ]);
      assert.ok(r.code === 0 || r.code === 1, r.err);
      const report = JSON.parse(r.out);
      // "pin is " is 7 characters: 3-character tokens put one across the boundary.
      for (const c of report.exposure.canaries) assert.equal(c.straddlesBoundary, true);
    } finally {
      server.tokenLength = 1;
    }
  });

  it('reads vLLM prompt_logprobs the same as echo logprobs', async () => {
    const echo = JSON.parse(
      (
        await run([
          'memorization',
          '--target',
          server.url,
          '--canaries',
          'pin.json',
          '--format',
          'json',
        ])
      ).out,
    );
    const vllm = JSON.parse(
      (
        await run([
          'memorization',
          '--target',
          server.url,
          '--protocol',
          'prompt-logprobs',
          '--canaries',
          'pin.json',
          '--format',
          'json',
        ])
      ).out,
    );
    assert.deepEqual(
      vllm.exposure.canaries.map((c: { exposure: number }) => c.exposure),
      echo.exposure.canaries.map((c: { exposure: number }) => c.exposure),
    );
  });

  it('retries 429 and 503 with backoff and stops at the request budget', async () => {
    server.mode = 'flaky';
    try {
      server.requests = 0;
      let r = await run([
        'memorization',
        '--target',
        server.url,
        '--canaries',
        'pin.json',
        '--batch',
        '500',
        '--format',
        'json',
      ]);
      assert.ok(r.code === 0 || r.code === 1, r.err);
      assert.ok(server.requests >= 6, `${server.requests} requests`);
      r = await run([
        'memorization',
        '--target',
        server.url,
        '--canaries',
        'pin.json',
        '--batch',
        '10',
        '--max-requests',
        '5',
      ]);
      assert.equal(r.code, 3);
      assert.match(r.err, /budget-exhausted/);
    } finally {
      server.mode = 'ok';
    }
  });

  it('resumes from its JSONL log without asking again', async () => {
    const args = [
      'memorization',
      '--target',
      server.url,
      '--canaries',
      'pin.json',
      '--batch',
      '50',
      '--log',
      'run.jsonl',
      '--format',
      'json',
    ];
    const first = await run(args);
    assert.ok(first.code === 0 || first.code === 1, first.err);
    const size = statSync(join(dir, 'run.jsonl')).size;
    server.requests = 0;
    const second = await run(args);
    assert.equal(server.requests, 0);
    assert.equal(statSync(join(dir, 'run.jsonl')).size, size);
    assert.deepEqual(JSON.parse(second.out).exposure, JSON.parse(first.out).exposure);
  });

  it('scores through --target-command, and reports a failing command clearly', async () => {
    // A local "model" that gives every character the same probability, over stdin/stdout.
    writeFileSync(
      join(dir, 'uniform.mjs'),
      `let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const body = JSON.parse(input);
  const choices = body.prompt.map((p, index) => ({
    index,
    text: p,
    logprobs: {
      tokens: [...p],
      token_logprobs: [...p].map((_, i) => (i === 0 ? null : Math.log(1 / 96))),
      text_offset: [...p].map((_, i) => i),
    },
  }));
  process.stdout.write(JSON.stringify({ choices }));
});
`,
    );
    writeFileSync(
      join(dir, 'broken.mjs'),
      "process.stderr.write('model not found'); process.exit(2);\n",
    );
    const ok = await run([
      'memorization',
      '--target-command',
      `${process.execPath} ${join(dir, 'uniform.mjs')}`,
      '--canaries',
      'pin.json',
      '--format',
      'json',
    ]);
    assert.equal(ok.code, 0, ok.err);
    const report = JSON.parse(ok.out);
    // Every secret is equally likely: each canary ties with the whole space, exposure 0.
    for (const c of report.exposure.canaries) {
      assert.equal(c.method, 'exact');
      assert.ok(Math.abs(c.exposure) < 1e-9);
    }
    const bad = await run([
      'memorization',
      '--target-command',
      `${process.execPath} ${join(dir, 'broken.mjs')}`,
      '--canaries',
      'pin.json',
    ]);
    assert.equal(bad.code, 3);
    assert.match(bad.err, /command-failed: .* exited 2: model not found/);
  });

  it('calibrates membership scores against a reference model', async () => {
    // The reference has never seen the members; the target has.
    const reference = new CharNgram(6, 5);
    reference.train(readFileSync(join(dir, 'n.txt'), 'utf8'));
    const refServer = await serveModel(reference);
    try {
      const r = await run([
        'memorization',
        '--target',
        server.url,
        '--reference',
        refServer.url,
        '--members',
        'm.txt',
        '--non-members',
        'n.txt',
        '--bootstrap',
        '100',
        '--format',
        'json',
      ]);
      assert.equal(r.code, 1, r.err);
      const report = JSON.parse(r.out);
      const ref = report.membership.attacks.find(
        (a: { attack: string }) => a.attack === 'reference',
      );
      assert.ok(ref.auc.value > 0.9, JSON.stringify(ref.auc));
      assert.ok(refServer.requests > 0);
    } finally {
      await refServer.close();
    }
  });

  it('writes an HTML report that renders in headless chromium', async () => {
    const inserted = await run([
      'canary',
      'insert',
      'm.txt',
      'pin.json',
      '--repeats',
      '0,1,10,100',
      '--seed',
      'i',
      '-o',
      'm-ins.txt',
    ]);
    assert.equal(inserted.code, 0, inserted.err);
    const r = await run([
      'memorization',
      '--target',
      server.url,
      '--canaries',
      'm-ins.txt.canaries.json',
      '--members',
      'm.txt',
      '--non-members',
      'n.txt',
      '--bootstrap',
      '100',
      '--html',
      'report.html',
      '-o',
      'report.txt',
    ]);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(html, /<svg[^>]+aria-label="Exposure by repeats"/);
    assert.match(html, /<svg[^>]+aria-label="ROC curve"/);
    // One marker per canary with a repeat count, and the mean line through the four counts.
    assert.equal((html.match(/<circle /g) ?? []).length, 4 + 4);
    assert.doesNotMatch(html, /<script|src=|href=/);
    assert.match(readFileSync(join(dir, 'report.txt'), 'utf8'), /Verdict: (PASS|FAIL)/);
    const shot = join(dir, 'report.png');
    const browser = spawnSync(
      '/usr/bin/chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--screenshot=${shot}`,
        '--window-size=1000,1800',
        `file://${join(dir, 'report.html')}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(browser.status, 0, browser.stderr);
    const png = readFileSync(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // A blank page compresses to a few kilobytes; charts and tables do not.
    assert.ok(png.length > 20_000, `${png.length} bytes`);
    if (process.env.TORCHWARD_KEEP_SCREENSHOT !== undefined)
      writeFileSync(process.env.TORCHWARD_KEEP_SCREENSHOT, png);
  });
});
