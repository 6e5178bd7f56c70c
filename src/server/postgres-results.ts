import pg from 'pg';
import type { Verdict } from '../core/finding.js';
import { within, type ResultStore } from './results.js';
import type { ScanResult } from './scan-job.js';

/** The table of results. */
export const RESULTS_TABLE = 'torchward_results';

// One row per artifact: the primary key on the SHA-256 (the job id) and `on conflict do nothing`
// make a second write of the same scan (a job retried after its worker died) a no-op, however
// the two writers interleave. `seq` orders completions as the Redis stream does.
const SCHEMA = `
create table if not exists ${RESULTS_TABLE} (
  sha256 char(64) primary key check (sha256 ~ '^[0-9a-f]{64}$'),
  verdict text not null,
  report text not null,
  sarif text not null,
  finished_at timestamptz not null,
  seq bigint generated always as identity
)`;

// Two processes starting at once must not both create the table (a race in pg_type): the schema
// is made under a transaction-scoped advisory lock. The key is arbitrary but fixed.
const SCHEMA_LOCK = 7_242_024;

/**
 * Results in Postgres (`--postgres URL`), through the `pg` client's pool. The table is created
 * on first use.
 */
export class PostgresResults implements ResultStore {
  private constructor(private readonly pool: pg.Pool) {}

  readonly kind = 'postgres';

  async ping(timeoutMs: number): Promise<void> {
    // query_timeout makes the client give up (and the pool drop that connection) by itself, so a
    // Postgres that accepts connections but never answers does not keep pool slots; `within`
    // also bounds the wait for a free slot or a new connection.
    // pg reads a per-query query_timeout (lib/client.js), though its typings know only the
    // connection-wide one.
    const check: pg.QueryConfig & { query_timeout: number } = {
      text: 'select 1',
      query_timeout: timeoutMs,
    };
    await within(this.pool.query(check), timeoutMs);
  }

  /** Connects, and creates the table when it is missing. */
  static async connect(url: string, maxConnections = 4): Promise<PostgresResults> {
    const pool = new pg.Pool({ connectionString: url, max: maxConnections });
    // An idle client that loses its connection (a Postgres restart) is dropped from the pool;
    // the error reaches the next query's caller, not the process.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await client.query(SCHEMA);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      client.release();
      await pool.end();
      throw error;
    }
    client.release();
    return new PostgresResults(pool);
  }

  async get(id: string): Promise<ScanResult | undefined> {
    const { rows } = await this.pool.query<{
      verdict: Verdict;
      report: string;
      sarif: string;
      finished_at: Date;
    }>(`select verdict, report, sarif, finished_at from ${RESULTS_TABLE} where sha256 = $1`, [id]);
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      id,
      verdict: row.verdict,
      json: row.report,
      sarif: row.sarif,
      finishedAt: row.finished_at.toISOString(),
    };
  }

  async has(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`select 1 from ${RESULTS_TABLE} where sha256 = $1`, [
      id,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async verdicts(ids: readonly string[]): Promise<(string | undefined)[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ sha256: string; verdict: string }>(
      `select sha256, verdict from ${RESULTS_TABLE} where sha256 = any($1::char(64)[])`,
      [ids],
    );
    const found = new Map(rows.map((r) => [r.sha256, r.verdict]));
    return ids.map((id) => found.get(id));
  }

  async writeOnce(result: ScanResult): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `insert into ${RESULTS_TABLE} (sha256, verdict, report, sarif, finished_at)
       values ($1, $2, $3, $4, $5) on conflict (sha256) do nothing`,
      [result.id, result.verdict, result.json, result.sarif, result.finishedAt],
    );
    return rowCount === 1;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
