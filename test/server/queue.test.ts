import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import {
  COMPLETED_STREAM,
  DEAD_QUEUE,
  RedisQueue,
  resultKey,
} from '../../src/server/redis-queue.js';
import { runCli } from '../helpers/cli-io.js';
import { FakeHub } from '../helpers/hub-server.js';
import { bigPickle, BENIGN, HOSTILE, sha, WorkerPool } from '../helpers/queue-setup.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import {
  killMidJob,
  startService,
  upload,
  waitForHealth,
  waitForScan,
  type HeldJobs,
  type TestService,
} from '../helpers/service.js';

// BullMQ over a real redis-server on a free loopback port, real `torchward worker` processes
// (killed with SIGKILL mid-job), a Redis restart during a run, the dead-letter queue and hub-scan.

describe('Redis queue and workers', () => {
  let redis: TestRedis;
  let svc: TestService;
  let queue: RedisQueue;
  const workers = new WorkerPool();

  const startWorker = async (concurrency: number): Promise<ChildProcess> => {
    const { child } = await workers.start(redis.url, svc.store.root, [
      '--concurrency',
      String(concurrency),
    ]);
    return child;
  };

  const heldJobs = (): HeldJobs => ({
    active: async () =>
      (await queue.queue.getActive()).map((job) => (job.data as { id: string }).id),
    hasResult: async (id) => (await queue.redis.exists(resultKey(id))) === 1,
  });

  const completedIds = async (): Promise<string[]> => {
    const entries = await queue.redis.xrange(COMPLETED_STREAM, '-', '+');
    return entries.map(([, fields]) => fields[fields.indexOf('id') + 1] ?? '');
  };

  before(async () => {
    redis = await startRedis();
    svc = await startService(() => {
      queue = new RedisQueue(redis.url);
      return queue;
    });
  });

  after(async () => {
    workers.killAll();
    await svc.close();
    await redis.stop();
  });

  it('scans uploads through a worker process; the same bytes are one job', async () => {
    await startWorker(2);
    const a = await upload(svc.base, HOSTILE);
    const b = await upload(svc.base, HOSTILE);
    assert.equal(a.body.id, b.body.id);
    const done = await waitForScan(svc.base, sha(HOSTILE));
    assert.equal(done.verdict, 'malicious');
    const sarif = await fetch(`${svc.base}/v1/scans/${sha(HOSTILE)}/sarif`);
    assert.equal(sarif.status, 200);
    assert.deepEqual(
      (await completedIds()).filter((id) => id === sha(HOSTILE)),
      [sha(HOSTILE)],
    );
  });

  it('loses no job when a worker is SIGKILLed mid-job: each result exists exactly once', async () => {
    workers.killAll();
    // Queued before the victim starts: it has a backlog to be caught in.
    const bodies = Array.from({ length: 12 }, (_, i) => bigPickle(`kill-${i}`, 3 * 2 ** 20));
    const ids = [];
    for (const body of bodies) ids.push((await upload(svc.base, body)).body.id ?? '');
    const victim = await startWorker(1);
    // Killed while Redis shows it holding a job whose result does not exist yet (looked at only
    // while frozen, so the check cannot race the scan however loaded the machine is).
    const midJob = await killMidJob(victim, heldJobs());
    assert.ok(ids.includes(midJob));
    assert.equal(await queue.redis.exists(resultKey(midJob)), 0, 'the victim finished it');
    await startWorker(2);
    for (const id of ids) assert.equal((await waitForScan(svc.base, id, 120_000)).status, 'done');
    const completed = await completedIds();
    for (const id of ids) assert.equal(completed.filter((c) => c === id).length, 1, id);
    // The victim died before writing it: its one completion is another worker's.
    assert.equal(completed.filter((c) => c === midJob).length, 1);
  });

  it('loses nothing when Redis restarts during a run', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => bigPickle(`restart-${i}`, 3 * 2 ** 20));
    const ids = [];
    for (const body of bodies) ids.push((await upload(svc.base, body)).body.id ?? '');
    await redis.restart();
    const health = await fetch(`${svc.base}/healthz`);
    assert.ok(health.status === 200 || health.status === 503);
    for (const id of ids) assert.equal((await waitForScan(svc.base, id, 120_000)).status, 'done');
    const completed = await completedIds();
    for (const id of ids) assert.equal(completed.filter((c) => c === id).length, 1, id);
    // Healthy again once the service's client has reconnected (checks are cached about 1 s).
    await waitForHealth(svc.base, 200);
  });

  it('retries a failing job with back-off, then moves it to the dead-letter queue', async () => {
    // Queued without its bytes in the store: every attempt fails.
    const missing = 'f'.repeat(64);
    await queue.submit(missing);
    const failed = await waitForScan(svc.base, missing, 60_000);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /not in the store/);
    const dead = new Queue(DEAD_QUEUE, { connection: { url: redis.url } });
    try {
      let job;
      for (let i = 0; i < 100 && job === undefined; i++) {
        job = await dead.getJob(missing);
        if (job === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal((job?.data as { attempts: number } | undefined)?.attempts, 3);
    } finally {
      await dead.close();
    }
  });

  it('hub-scan queues a list, reports per-item errors, and follows it to a summary', async (t) => {
    // hf:// items come from a loopback server playing the Hub; its LFS file redirects to a CDN
    // host on loopback, which the SSRF guard refuses (no --allow-loopback-urls here).
    const hubBenign = bigPickle('hub', 64);
    const hub = new FakeHub([
      {
        type: 'model',
        id: 'org/model',
        refs: { main: '9'.repeat(40) },
        commits: {
          ['9'.repeat(40)]: [
            { path: 'pytorch_model.bin', bytes: hubBenign },
            { path: 'lfs/evil.pt', bytes: HOSTILE, lfs: true },
          ],
        },
      },
    ]);
    await hub.start();
    t.after(() => hub.stop());
    const dir = mkdtempSync(join(tmpdir(), 'tw-hub-'));
    writeFileSync(join(dir, 'benign.pt'), BENIGN);
    writeFileSync(join(dir, 'evil.pt'), HOSTILE);
    mkdirSync(join(dir, 'folder'));
    writeFileSync(
      join(dir, 'list.txt'),
      [
        '# a comment',
        'benign.pt',
        'evil.pt',
        '',
        'benign.pt',
        'missing.pt',
        'folder',
        'hf://org/model/pytorch_model.bin',
        'hf://org/model@main',
        'hf://org/nothing/x.bin',
        'http://169.254.169.254/latest/meta-data/',
        'http://localhost/x.pt',
        `${'x'.repeat(9000)}.pt`,
      ].join('\n'),
    );
    const run = await runCli(
      [
        'hub-scan',
        '--redis',
        redis.url,
        '--list',
        'list.txt',
        '--store',
        svc.store.root,
        '--format',
        'json',
        '--hf-endpoint',
        hub.url,
      ],
      {},
      dir,
    );
    assert.equal(run.code, 1, run.stderr);
    const summary = JSON.parse(run.stdout) as {
      items: number;
      duplicates: number;
      itemErrors: Record<string, number>;
      scanned: number;
      verdicts: Record<string, number>;
    };
    // 11 lines; the repository line stands for its 2 files.
    assert.equal(summary.items, 12);
    // benign.pt twice, and the repository's pytorch_model.bin after its own line.
    assert.equal(summary.duplicates, 2);
    assert.deepEqual(summary.itemErrors, {
      NOT_FOUND: 1,
      NOT_A_FILE: 1,
      HUB_REPO_NOT_FOUND: 1,
      BLOCKED_ADDRESS: 3,
      BAD_ITEM: 1,
    });
    assert.equal(summary.scanned, 3);
    assert.deepEqual(summary.verdicts, { safe: 2, malicious: 1 });
    assert.match(run.stderr, /line 9: BLOCKED_ADDRESS: 127\.0\.0\.1 is not a public address/);
    assert.match(run.stderr, /line 10: HUB_REPO_NOT_FOUND: hf:\/\/org\/nothing@main/);
  });

  it('hub-scan refuses a list of a million lines before queuing any of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-hub-'));
    const list = join(dir, 'million.txt');
    const out = createWriteStream(list);
    const line = 'model.pt\n'.repeat(1000);
    for (let i = 0; i < 1000; i++) out.write(line);
    await new Promise<void>((r) => out.end(r));
    const before = await queue.queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed');
    writeFileSync(join(dir, 'model.pt'), BENIGN);
    const store = join(dir, 'store');
    const run = await runCli(
      ['hub-scan', '--redis', redis.url, '--list', list, '--store', store],
      {},
      dir,
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /more than 100000 items \(--max-items\)/);
    const afterCount = await queue.queue.getJobCountByTypes(
      'waiting',
      'active',
      'completed',
      'failed',
    );
    assert.equal(afterCount, before);
    // Nothing was stored either (the store folder was never made).
    assert.equal(existsSync(store), false);
  });

  it('/healthz answers 503 while Redis is down and 200 once it is back', async () => {
    const up = await waitForHealth(svc.base, 200);
    assert.deepEqual(up, { status: 'ok', queue: true, store: { kind: 'redis', reachable: true } });
    await redis.stop();
    const down = await waitForHealth(svc.base, 503);
    assert.equal(down.status, 'degraded');
    assert.equal(down.queue, false);
    assert.deepEqual(down.store, { kind: 'redis', reachable: false, error: 'NOT_CONNECTED' });
    assert.match(down.reason ?? '', /the result store \(redis\) cannot be reached: NOT_CONNECTED/);
    await redis.restart(0);
    const back = await waitForHealth(svc.base, 200);
    assert.equal(back.store.reachable, true);
  });
});
