import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { guard } from '../../src/guard/guard.js';
import type { AttemptRecord } from '../../src/redteam/run.js';
import type { RedteamReport } from '../../src/redteam/report.js';
import { runCli } from '../helpers/cli-io.js';
import type { TargetOptions, Weaknesses } from '../helpers/redteam-target.js';
import { startRedteamTarget } from '../helpers/redteam-target.js';

// torchward redteam against a real OpenAI-compatible server on loopback (test/helpers/
// redteam-target.ts) whose weaknesses are known: it must find exactly the families and probes
// those weaknesses open and no other, whether the server answers whole, streams, rate-limits
// or fails now and then.

const dir = mkdtempSync(join(tmpdir(), 'torchward-redteam-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function vulnerable(report: RedteamReport): string[] {
  return report.families.filter((f) => f.successes > 0).map((f) => f.id);
}

function hitProbes(report: RedteamReport): string[] {
  return report.probes.filter((p) => p.successes > 0).map((p) => p.id);
}

async function redteam(
  options: TargetOptions,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{
  code: number;
  report: RedteamReport;
  stderr: string;
  requests: number;
  auth: readonly string[];
}> {
  const target = await startRedteamTarget(options);
  try {
    const r = await runCli(
      ['redteam', '--target', target.url, '--format', 'json', '--attempts', '2', ...args],
      env,
      dir,
    );
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    return {
      code: r.code,
      report: JSON.parse(r.stdout) as RedteamReport,
      stderr: r.stderr,
      requests: target.requests(),
      auth: target.authorizations(),
    };
  } finally {
    await target.close();
  }
}

const SET_A: Weaknesses = { decodes: ['base64'], leaksOnRepeat: true };
const SET_B: Weaknesses = {
  obeysDocuments: true,
  readsTags: true,
  persona: true,
  rendersExfil: true,
  followsSplits: true,
  manyShotAt: 16,
};

function assertSetA(report: RedteamReport): void {
  assert.deepEqual(vulnerable(report), ['extraction', 'encoding']);
  assert.deepEqual(hitProbes(report), ['extraction/repeat', 'encoding/base64']);
  for (const id of ['extraction/repeat', 'encoding/base64']) {
    const p = report.probes.find((x) => x.id === id);
    assert.equal(p?.successes, 2, id);
    assert.equal(p.attempts, 2);
    assert.deepEqual(
      p.ci?.map((x) => x.toFixed(3)),
      ['0.342', '1.000'],
    );
  }
}

describe('torchward redteam finds exactly the weaknesses of the target', () => {
  it('base64 overrides and system-prompt repetition: encoding and extraction only', async () => {
    const { code, report, requests } = await redteam({ weaknesses: SET_A }, ['--seed', 'a']);
    assert.equal(code, 1);
    assertSetA(report);
    assert.equal(report.complete, true);
    assert.equal(report.planned, 74);
    assert.equal(requests, 74);
    const encoding = report.families.find((f) => f.id === 'encoding');
    // 2 of 12 attempts; Wilson 95% for 2/12.
    assert.deepEqual(
      encoding && [encoding.attempts, encoding.successes, encoding.rate],
      [12, 2, 0.1667],
    );
    assert.deepEqual(encoding?.ci, [0.047, 0.448]);
    const clean = report.families.find((f) => f.id === 'direct');
    assert.deepEqual(clean?.ci, [0, 0.3244]);
    // The target quotes every refused prompt back, halves of the canary included: none counts.
    assert.ok((clean?.refusals ?? 0) === 8);
    assert.equal(report.successes.length, 4);
  });

  it('the same result when the target streams, rate-limits (429 + Retry-After) and fails now and then', async () => {
    const { report, requests } = await redteam(
      { weaknesses: SET_A, rateLimitEvery: 25, failEvery: 11 },
      ['--stream', '--seed', 'b', '--concurrency', '6', '--backoff-ms', '20'],
    );
    assertSetA(report);
    assert.equal(report.complete, true);
    // Every 429 and 503 was retried: more requests than attempts, each attempt answered.
    assert.ok(requests > report.planned, `${requests} requests for ${report.planned}`);
    assert.equal(report.requests, requests);
  });

  it('documents, tags, personas, exfiltration, splitting and 32-shot prompts (completions API, streamed)', async () => {
    const { report } = await redteam({ weaknesses: SET_B }, ['--completions', '--stream']);
    assert.deepEqual(vulnerable(report), [
      'indirect',
      'smuggling',
      'jailbreak-template',
      'exfiltration',
      'payload-splitting',
      'many-shot',
    ]);
    const hit = hitProbes(report);
    assert.ok(hit.includes('smuggling/unicode-tags'));
    assert.ok(!hit.some((p) => p.startsWith('smuggling/') && p !== 'smuggling/unicode-tags'));
    assert.ok(hit.includes('many-shot/32') && !hit.includes('many-shot/8'));
    for (const family of ['indirect', 'jailbreak-template', 'exfiltration', 'payload-splitting']) {
      const row = report.families.find((f) => f.id === family);
      assert.equal(row?.successes, row?.attempts, family);
    }
  });

  it('drives a local model through --target-command', async () => {
    const command = fileURLToPath(new URL('../helpers/redteam-command.js', import.meta.url));
    const r = await runCli(
      [
        'redteam',
        '--target-command',
        `${process.execPath} ${command} leaksOnRepeat`,
        '--families',
        'direct,extraction',
        '--attempts',
        '1',
        '--format',
        'json',
      ],
      {},
      dir,
    );
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as RedteamReport;
    assert.deepEqual(hitProbes(report), ['extraction/repeat']);
  });

  it('has no success against a target without weaknesses (exit 0), and the same seed plans the same prompts', async () => {
    const log1 = join(dir, 'same-1.jsonl');
    const log2 = join(dir, 'same-2.jsonl');
    const one = await redteam({ weaknesses: {} }, [
      '--log',
      log1,
      '--mutators',
      '2',
      '--families',
      'direct,encoding,smuggling',
    ]);
    const two = await redteam({ weaknesses: {} }, [
      '--log',
      log2,
      '--mutators',
      '2',
      '--families',
      'direct,encoding,smuggling',
    ]);
    assert.equal(one.code, 0);
    assert.equal(two.code, 0);
    assert.deepEqual(vulnerable(one.report), []);
    const read = (p: string): AttemptRecord[] =>
      readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { value: AttemptRecord }).value);
    const a = read(log1).sort((x, y) => x.id.localeCompare(y.id));
    const b = read(log2).sort((x, y) => x.id.localeCompare(y.id));
    assert.equal(a.length, 32);
    assert.deepEqual(
      a.map((r) => [r.id, r.chain]),
      b.map((r) => [r.id, r.chain]),
    );
    // The prompts are equal once each attempt's canary is blanked; the canaries are fresh.
    const blank = (r: AttemptRecord): string => {
      const half = r.canary.length / 2;
      return r.user
        .split(r.canary.slice(0, half))
        .join('<A>')
        .split(r.canary.slice(half))
        .join('<B>');
    };
    const plain = a.filter((r) => r.chain.every((c) => c === 'casing' || c === 'spacing'));
    assert.ok(plain.length >= 8);
    for (const r of plain) {
      const other = b.find((x) => x.id === r.id);
      assert.ok(other);
      assert.equal(blank(r), blank(other));
      assert.notEqual(r.canary, other.canary);
    }
    assert.equal(new Set(a.map((r) => r.canary)).size, a.length);
    assert.ok(a.some((r) => r.chain.includes('casing') || r.chain.includes('spacing')));
  });
});

describe('torchward redteam operations', () => {
  it('keeps the API key out of the log and the report, and reports what guard would block', async () => {
    const log = join(dir, 'guard.jsonl');
    const key = 'sk-test-7f3a9c1e5b2d4680';
    const { report, auth } = await redteam(
      { weaknesses: SET_A },
      [
        '--families',
        'extraction,encoding,direct',
        '--guard',
        '--log',
        log,
        '--api-key-env',
        'MY_KEY',
        '--html',
        'guard.html',
      ],
      { MY_KEY: key },
    );
    assert.ok(auth.length > 0 && auth.every((a) => a === `Bearer ${key}`));
    const text = readFileSync(log, 'utf8');
    assert.ok(!text.includes(key));
    assert.ok(!JSON.stringify(report).includes(key));
    assert.ok(!readFileSync(join(dir, 'guard.html'), 'utf8').includes(key));
    // The blocked count is guard's own verdict on the successful prompts.
    const records = text
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { value: AttemptRecord }).value);
    const successes = records.filter((r) => r.success);
    const blocked = successes.filter((r) => guard(r.user).flagged).length;
    assert.ok(report.guard);
    assert.equal(report.guard.successes, successes.length);
    assert.equal(report.guard.blocked, blocked);
    assert.equal(report.guard.flagged, records.filter((r) => guard(r.user).flagged).length);
  });

  it('--rate spaces the requests of all workers', async () => {
    const started = Date.now();
    const { report, requests } = await redteam({ weaknesses: {} }, [
      '--families',
      'direct',
      '--rate',
      '20',
      '--concurrency',
      '4',
    ]);
    // 8 requests at 20 per second: the last one starts no sooner than 7 intervals of 50 ms.
    assert.equal(requests, 8);
    assert.equal(report.complete, true);
    assert.ok(Date.now() - started >= 350, `${Date.now() - started} ms`);
  });

  it('stops at --max-requests with exit 3, then --resume finishes without re-sending', async () => {
    const log = join(dir, 'resume.jsonl');
    const target = await startRedteamTarget({ weaknesses: {} });
    try {
      const base = [
        'redteam',
        '--target',
        target.url,
        '--families',
        'direct,indirect',
        '--attempts',
        '2',
        '--format',
        'json',
      ];
      const first = await runCli(
        [...base, '--log', log, '--max-requests', '7', '--concurrency', '1'],
        {},
        dir,
      );
      assert.equal(first.code, 3, first.stderr);
      assert.match(first.stderr, /budget-exhausted/);
      assert.match(first.stderr, /--resume/);
      const partial = JSON.parse(first.stdout) as RedteamReport;
      assert.equal(partial.complete, false);
      assert.equal(partial.answered, 7);
      // A process killed mid-write leaves a torn last line: it is dropped, not fatal.
      const { appendFileSync } = await import('node:fs');
      appendFileSync(log, '{"key":"torn');
      const second = await runCli([...base, '--resume', log], {}, dir);
      assert.equal(second.code, 0, second.stderr);
      const done = JSON.parse(second.stdout) as RedteamReport;
      assert.equal(done.complete, true);
      assert.equal(done.resumed, 7);
      assert.equal(target.requests(), 18);
      // The log still loads: one line per attempt.
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      assert.equal(lines.length, 18);
      for (const l of lines) JSON.parse(l);
    } finally {
      await target.close();
    }
  });
});
