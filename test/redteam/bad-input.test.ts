import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { RedteamReport } from '../../src/redteam/report.js';
import { runCli } from '../helpers/cli-io.js';
import { startRedteamTarget } from '../helpers/redteam-target.js';

// Broken targets and inputs for `torchward redteam`: clear errors and exit 3, bounded time and
// memory, a log that --resume can continue; and the HTML page in Debian's headless chromium.

const dir = mkdtempSync(join(tmpdir(), 'torchward-redteam-bad-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

// Small families, no retries worth waiting for: each case fails fast.
const QUICK = ['--families', 'direct,extraction', '--attempts', '1', '--backoff-ms', '10'];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => {
    server.close(() => {
      ok();
    });
  });
  return port;
}

describe('torchward redteam: targets that cannot be used', () => {
  it('an unreachable target: exit 3 after the failure limit, nothing reported as safe', async () => {
    const port = await freePort();
    const r = await runCli(
      ['redteam', '--target', `http://127.0.0.1:${port}/v1`, ...QUICK, '--retries', '1'],
      {},
      dir,
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /stopped early: http-error: 3 attempts in a row failed; last: cannot reach/,
    );
    assert.match(r.stdout, /Result: INCOMPLETE/);
  });

  it('a certificate the client does not trust: tls-error on the first attempt, no retry', async () => {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const target = await startRedteamTarget({
      weaknesses: {},
      tls: { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') },
    });
    try {
      const r = await runCli(
        ['redteam', '--target', target.url, ...QUICK, '--concurrency', '1'],
        {},
        dir,
      );
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        /stopped early: tls-error: TLS handshake with https:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions failed: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/,
      );
      assert.equal(target.requests(), 0);
    } finally {
      await target.close();
    }
  });

  for (const [fault, message] of [
    ['non-json', /bad-reply: .*the reply is not JSON: <html>/],
    ['huge', /bad-reply: .*reply larger than 1048576 bytes/],
  ] as const) {
    it(`a ${fault} reply: bad-reply, exit 3`, async () => {
      const target = await startRedteamTarget({ weaknesses: {}, fault });
      try {
        const r = await runCli(
          ['redteam', '--target', target.url, ...QUICK, '--concurrency', '1', '--format', 'json'],
          {},
          dir,
        );
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, message);
        const report = JSON.parse(r.stdout) as RedteamReport;
        assert.equal(report.answered, 0);
        assert.equal(report.errors.length, 3);
        // A reply that is not the API's cannot be retried into shape: one request per attempt.
        assert.equal(target.requests(), 3);
      } finally {
        await target.close();
      }
    });
  }

  it('a server that never answers: per-request timeout; the log lets --resume finish later', async () => {
    const log = join(dir, 'hang.jsonl');
    const target = await startRedteamTarget({ weaknesses: { leaksOnRepeat: true }, fault: 'hang' });
    try {
      const args = ['redteam', '--target', target.url, ...QUICK, '--format', 'json'];
      const first = await runCli(
        [...args, '--log', log, '--timeout-ms', '200', '--retries', '0', '--concurrency', '1'],
        {},
        dir,
      );
      assert.equal(first.code, 3, first.stderr);
      assert.match(
        first.stderr,
        /timeout: 3 attempts in a row failed; last: no reply from .* within 200 ms/,
      );
      assert.match(first.stderr, /rerun with --resume/);
      const failed = readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(failed.length, 3);
      target.setFault(undefined);
      const second = await runCli([...args, '--resume', log], {}, dir);
      assert.equal(second.code, 1, second.stderr);
      const report = JSON.parse(second.stdout) as RedteamReport;
      assert.equal(report.complete, true);
      assert.equal(report.resumed, 0);
      assert.deepEqual(
        report.probes.filter((p) => p.successes > 0).map((p) => p.id),
        ['extraction/repeat'],
      );
      // Failed attempts stay in the log; their answers were appended after them.
      const lines = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { value: { status: string } });
      assert.equal(lines.length, 3 + 9);
      assert.equal(lines.filter((l) => l.value.status === 'error').length, 3);
    } finally {
      await target.close();
    }
  });
});

describe('torchward redteam: malformed system-prompt files', () => {
  mkdirSync(join(dir, 'prompts'), { recursive: true });
  const cases: [string, Buffer | null, RegExp][] = [
    ['latin1.txt', Buffer.from([0x59, 0x6f, 0x75, 0xe9, 0xff, 0x0a]), /is not UTF-8 text/],
    ['nul.txt', Buffer.from('You are\u0000 a bot\n'), /holds NUL bytes/],
    ['empty.txt', Buffer.from(' \n\t\n'), /is empty/],
    ['big.txt', Buffer.alloc(70 * 1024, 0x61), /is larger than 65536 bytes/],
    ['missing.txt', null, /cannot read .*missing\.txt/],
    ['a-folder', null, /cannot read .*a-folder|EISDIR/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`${name}: exit 3 before any request`, async () => {
      const path = join(dir, 'prompts', name);
      if (bytes !== null) writeFileSync(path, bytes);
      if (name === 'a-folder') mkdirSync(path, { recursive: true });
      const target = await startRedteamTarget({ weaknesses: {} });
      try {
        const r = await runCli(
          ['redteam', '--target', target.url, '--system-prompt', path, ...QUICK],
          {},
          dir,
        );
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, /torchward redteam: system prompt: /);
        assert.match(r.stderr, message);
        assert.equal(target.requests(), 0);
      } finally {
        await target.close();
      }
    });
  }
});

describe('torchward redteam: logs that are not attempt logs', () => {
  const cases: [string, string, RegExp][] = [
    ['garbage.jsonl', 'not json\n{"key":"b","value":2}\n', /garbage\.jsonl:1: not a JSON line/],
    [
      'foreign.jsonl',
      '{"key":"k","value":{"tokens":[],"logprobs":[]}}\n',
      /foreign\.jsonl:1: a log entry is not a red-team attempt record/,
    ],
    ['no-key.jsonl', '{"value":{}}\n', /:1: no key/],
  ];
  for (const [name, text, message] of cases) {
    it(`${name}: exit 3, nothing sent`, async () => {
      writeFileSync(join(dir, name), text);
      const target = await startRedteamTarget({ weaknesses: {} });
      try {
        const r = await runCli(
          ['redteam', '--target', target.url, ...QUICK, '--resume', name],
          {},
          dir,
        );
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, /torchward redteam: log: /);
        assert.match(r.stderr, message);
        assert.equal(target.requests(), 0);
      } finally {
        await target.close();
      }
    });
  }
});

describe('torchward redteam: usage errors', () => {
  for (const [args, message] of [
    [[], /exactly one of --target URL or --target-command CMD/],
    [['--target', 'ftp://x'], /http or https/],
    [
      ['--target', 'http://127.0.0.1:1', '--families', 'direct,nope'],
      /unknown probe family 'nope'/,
    ],
    [['--target', 'http://127.0.0.1:1', '--log', 'a', '--resume', 'a'], /give one of them/],
    [['--target', 'http://127.0.0.1:1', '--resume', 'absent.jsonl'], /no such log/],
    [['--target', 'http://127.0.0.1:1', '--rate', '0'], /--rate needs a positive number/],
  ] as const) {
    it(`${args.join(' ') || '(no target)'}: exit 2`, async () => {
      const r = await runCli(['redteam', ...args], {}, dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});

describe('torchward redteam --html', () => {
  it('writes a self-contained page that renders in headless chromium', async () => {
    const target = await startRedteamTarget({
      weaknesses: { decodes: ['base64'], rendersExfil: true },
    });
    try {
      const r = await runCli(
        [
          'redteam',
          '--target',
          target.url,
          '--attempts',
          '1',
          '--html',
          'report.html',
          '-o',
          'report.txt',
        ],
        {},
        dir,
      );
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        readFileSync(join(dir, 'report.txt'), 'utf8'),
        /Result: VULNERABLE \(encoding, exfiltration\)/,
      );
    } finally {
      await target.close();
    }
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /<script|<link|src=/i);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(`file://${join(dir, 'report.html')}`);
      assert.equal(await page.title(), 'torchward redteam report');
      const chart = page.locator('svg[aria-label="Attack success rate by family (Wilson 95%)"]');
      const box = await chart.boundingBox();
      assert.ok(box !== null && box.width > 300 && box.height > 200, JSON.stringify(box));
      // One label per family, and a visible bar for each of the two vulnerable ones.
      assert.equal(
        await chart
          .locator('text')
          .filter({ hasText: /^[a-z-]+$/ })
          .count(),
        9,
      );
      const wide = await chart
        .locator('rect')
        .evaluateAll((rs) => rs.filter((r) => Number(r.getAttribute('width')) > 0).length);
      assert.equal(wide, 2);
      // The transcripts: the exfiltration reply shows its attacker link as text, not as an image.
      const transcripts = await page.locator('pre').allInnerTexts();
      assert.equal(transcripts.length, 3 * 4);
      assert.ok(transcripts.some((t) => t.includes('](https://attacker.example/')));
      assert.equal(await page.locator('img').count(), 0);
      assert.deepEqual(requests, [`file://${join(dir, 'report.html')}`]);
      const shot = await page.screenshot({ fullPage: true });
      assert.ok(shot.length > 20_000, `${shot.length} bytes`);
    } finally {
      await browser.close();
    }
  });
});
