import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PostgresResults, RESULTS_TABLE } from '../../src/server/postgres-results.js';
import { RedisQueue, resultKey } from '../../src/server/redis-queue.js';
import { runCli } from '../helpers/cli-io.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres-server.js';
import { bigPickle, BENIGN, HOSTILE, sha, WorkerPool } from '../helpers/queue-setup.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import {
  killMidJob,
  startService,
  upload,
  waitForHealth,
  waitForScan,
  type TestService,
} from '../helpers/service.js';

// Results kept in Postgres (`--postgres URL`): a real postgres (Debian's postgresql, initdb into a
// temporary folder, a free loopback port), a real redis-server for the queue, real worker
// processes, one of them SIGKILLed mid-job.

// A hang (no live worker) fails the suite instead of stalling it.
describe('results in Postgres', { timeout: 240_000 }, () => {
  let postgres: TestPostgres;
  let redis: TestRedis;
  let svc: TestService;
  let queue: RedisQueue;
  let db: pg.Client;
  const workers = new WorkerPool();

  const startWorker = async (): Promise<ChildProcess> => {
    const { child, line } = await workers.start(redis.url, svc.store.root, [
      '--postgres',
      postgres.url,
    ]);
    assert.match(line, /results in Postgres/);
    return child;
  };

  /** How many rows each id has. */
  const rowsPer = async (ids: readonly string[]): Promise<Map<string, number>> => {
    const { rows } = await db.query<{ sha256: string; n: string }>(
      `select sha256, count(*) as n from ${RESULTS_TABLE} where sha256 = any($1) group by sha256`,
      [ids],
    );
    return new Map(rows.map((r) => [r.sha256, Number(r.n)]));
  };

  before(async () => {
    postgres = await startPostgres();
    redis = await startRedis();
    const results = await PostgresResults.connect(postgres.url);
    svc = await startService(() => {
      queue = new RedisQueue(redis.url, results);
      return queue;
    });
    db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
  });

  after(async () => {
    workers.killAll();
    await db.end();
    await svc.close();
    await redis.stop();
    await postgres.stop();
  });

  it('keeps a worker result in Postgres, served by the API, and none in Redis', async () => {
    await startWorker();
    const up = await upload(svc.base, HOSTILE);
    assert.equal(up.status, 202);
    const done = await waitForScan(svc.base, sha(HOSTILE));
    assert.equal(done.verdict, 'malicious');
    const { rows } = await db.query<{ verdict: string; report: string }>(
      `select verdict, report from ${RESULTS_TABLE} where sha256 = $1`,
      [sha(HOSTILE)],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.verdict, 'malicious');
    assert.deepEqual(JSON.parse(rows[0]?.report ?? ''), done.report);
    assert.equal(await queue.redis.exists(resultKey(sha(HOSTILE))), 0);
    const sarif = await fetch(`${svc.base}/v1/scans/${sha(HOSTILE)}/sarif`);
    assert.equal(sarif.status, 200);
    // Submitted again: already done, no second job.
    assert.equal((await upload(svc.base, HOSTILE)).body.status, 'done');
  });

  it('writes a result once: a second write of the same artifact is a no-op', async () => {
    const store = await PostgresResults.connect(postgres.url);
    try {
      const id = 'e'.repeat(64);
      const first = {
        id,
        verdict: 'safe' as const,
        json: '{"a":1}',
        sarif: '{}',
        finishedAt: new Date().toISOString(),
      };
      const racing = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.writeOnce(i === 0 ? first : { ...first, verdict: 'malicious', json: `{"b":${i}}` }),
        ),
      );
      assert.equal(racing.filter(Boolean).length, 1);
      assert.equal((await rowsPer([id])).get(id), 1);
      assert.deepEqual(await store.verdicts([id, 'f'.repeat(64)]), [
        (await store.get(id))?.verdict,
        undefined,
      ]);
    } finally {
      await store.close();
    }
  });

  it('loses no job when a worker is SIGKILLed mid-job: one row per artifact', async () => {
    workers.killAll();
    // Queued before the victim starts, so it is still busy with them when it is killed.
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push((await upload(svc.base, bigPickle(`pg-kill-${i}`, 3 * 2 ** 20))).body.id ?? '');
    }
    const victim = await startWorker();
    // Killed while Redis shows it holding a job whose result is not in Postgres yet (looked at
    // only while frozen, so the check cannot race the scan however loaded the machine is).
    const midJob = await killMidJob(victim, {
      active: async () =>
        (await queue.queue.getActive()).map((job) => (job.data as { id: string }).id),
      hasResult: (id) => queue.results.has(id),
    });
    assert.ok(ids.includes(midJob));
    assert.equal(await queue.results.has(midJob), false, 'the victim finished it');
    await startWorker();
    await startWorker();
    for (const id of ids) assert.equal((await waitForScan(svc.base, id, 120_000)).status, 'done');
    const counts = await rowsPer(ids);
    for (const id of ids) assert.equal(counts.get(id), 1, id);
  });

  it('hub-scan --postgres follows the results in Postgres', async () => {
    // A worker of its own: this test does not depend on the ones the previous test started.
    await startWorker();
    const dir = mkdtempSync(join(tmpdir(), 'tw-pg-hub-'));
    writeFileSync(join(dir, 'benign.pt'), BENIGN);
    writeFileSync(join(dir, 'list.txt'), 'benign.pt\n');
    const run = await runCli(
      [
        'hub-scan',
        '--redis',
        redis.url,
        '--postgres',
        postgres.url,
        '--list',
        'list.txt',
        '--store',
        svc.store.root,
        '--format',
        'json',
      ],
      {},
      dir,
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { scanned: number; verdicts: Record<string, number> };
    assert.deepEqual(summary.verdicts, { safe: 1 });
    assert.equal((await rowsPer([sha(BENIGN)])).get(sha(BENIGN)), 1);
  });

  it('/healthz answers 503 while Postgres is down and 200 once it is back', async () => {
    const up = await waitForHealth(svc.base, 200);
    assert.deepEqual(up, {
      status: 'ok',
      queue: true,
      store: { kind: 'postgres', reachable: true },
    });
    // This test's own client would see its connection terminated: closed first, made anew after.
    await db.end();
    await postgres.halt();
    const down = await waitForHealth(svc.base, 503);
    assert.equal(down.status, 'degraded');
    // The queue (Redis) is fine; only the result store is not.
    assert.equal(down.queue, true);
    assert.equal(down.store.kind, 'postgres');
    assert.equal(down.store.reachable, false);
    assert.match(down.reason ?? '', /^the result store \(postgres\) cannot be reached: [\w-]+$/);
    // The answer names no address or user of the store.
    assert.doesNotMatch(JSON.stringify(down), /127\.0\.0\.1|torchward@|postgres:\/\//);
    await postgres.start();
    db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    const back = await waitForHealth(svc.base, 200);
    assert.equal(back.store.reachable, true);
  });

  it('refuses a --postgres that is not a postgres URL, or --postgres without --redis', async () => {
    const bad = await runCli(['worker', '--redis', redis.url, '--postgres', 'mysql://x/y'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--postgres needs a postgres:\/\/ URL/);
    const alone = await runCli(['serve', '--no-auth', '--postgres', postgres.url], {});
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /needs --redis/);
  });
});
