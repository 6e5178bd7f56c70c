// Files scanned in parallel on worker threads with a per-file time limit (`scan --timeout`):
// one pathological file cannot stall the rest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  copyFileSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeLimits } from '../../src/core/limits.js';
import type { FileResult } from '../../src/engine/result.js';
import {
  CALLING_THREAD_BYTES,
  scanInThreads,
  type WalkedOutcome,
} from '../../src/engine/scan-pool.js';
import { scanPaths } from '../../src/engine/scan.js';

const BIN = join(process.cwd(), 'dist', 'cli', 'main.js');
// An 8 KB HDF5 file on which the HDF5 library loops forever while opening it: evil/lambda.h5 with
// byte 2688 zeroed, found by the HDF5 fuzz test (test/fixtures/make/formats.py). Copied twice.
const LOOP = join('test', 'fixtures', 'keras', 'bad', 'issue-4-hdf5-loop.h5');
const BENIGN = join('test', 'fixtures', 'torch', 'ok', 'linear_state_dict.pt');

/** A file as the repository walk hands it to the scan pool, named explicitly on the command line. */
function walked(path: string, name: string) {
  return { fsPath: path, displayPath: name, explicit: true, relPath: name };
}

interface JsonFile {
  readonly path: string;
  readonly verdict: string;
  readonly findings: readonly { readonly ruleId: string; readonly message: string }[];
}

describe('scan on worker threads with a per-file time limit', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torchward-threads-'));
    copyFileSync(LOOP, join(dir, 'loop-1.h5'));
    copyFileSync(LOOP, join(dir, 'loop-2.h5'));
    copyFileSync(BENIGN, join(dir, 'model.pt'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('two HDF5 loop files end at the limit, reported not safe; the other file is still scanned', () => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [BIN, 'scan', '--timeout', '2', '-f', 'json', dir], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const elapsed = Date.now() - started;
    assert.equal(r.status, 1, r.stderr);
    const files = (JSON.parse(r.stdout) as { files: JsonFile[] }).files;
    const byName = new Map(files.map((f) => [f.path.slice(dir.length + 1), f]));
    for (const name of ['loop-1.h5', 'loop-2.h5']) {
      const f = byName.get(name);
      assert.equal(f?.verdict, 'invalid', JSON.stringify(f));
      assert.ok(f.findings.some((x) => x.message.includes('LIMIT_EXCEEDED')));
    }
    assert.equal(byName.get('model.pt')?.verdict, 'safe');
    // The default limit is 30 s per file; with 2 s the whole run, both loops included, is far
    // shorter than even one default limit (it took 4 minutes before there was a limit).
    assert.ok(elapsed < 25_000, `took ${elapsed} ms`);
  });

  it('rejects a --timeout that is not a positive number of seconds', () => {
    for (const bad of ['0', '-1', 'abc']) {
      const r = spawnSync(process.execPath, [BIN, 'scan', '--timeout', bad, dir], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 2, bad);
      assert.match(r.stderr, /--timeout/);
    }
  });

  it('threads give the same report as the calling thread', async () => {
    const limits = { maxMillisPerFile: 2000 };
    const one = await scanPaths([dir, 'test/fixtures/torch/ok'], { limits });
    const two = await scanPaths([dir, 'test/fixtures/torch/ok'], { limits, threads: 2 });
    const strip = (f: FileResult): unknown => ({ ...f, findings: f.findings.map((x) => x.ruleId) });
    assert.deepEqual(two.files.map(strip), one.files.map(strip));
    assert.deepEqual(two.summary.skipped, one.summary.skipped);
  });

  it('terminates a thread stuck on a file past its limit and carries on', async () => {
    // Opening a FIFO blocks until a writer comes: nothing in the scan runs to notice the deadline.
    // The limit leaves a benign file on a cold thread room under a loaded machine (500 ms did not).
    const fifo = join(dir, 'stuck.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    assert.equal(made.status, 0, String(made.stderr));
    const out: [string, WalkedOutcome | undefined][] = [];
    await scanInThreads(
      [walked(fifo, 'stuck'), walked(BENIGN, 'model.pt')],
      2,
      makeLimits({ maxMillisPerFile: 1500 }),
      [],
      (file, outcome) => out.push([file.displayPath, outcome]),
    );
    // Unblock the abandoned open so the process can exit.
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    const results = new Map(out);
    const stuck = results.get('stuck') as FileResult;
    assert.equal(stuck.verdict, 'invalid');
    assert.match(stuck.findings[0]?.message ?? '', /time limit of 1\.5 s/);
    assert.equal((results.get('model.pt') as FileResult).verdict, 'safe');
  });

  it('gives the files queued behind a stuck one to the next thread', async () => {
    // One thread: once it has taken the FIFO, the checkpoints wait in its queue (one at a time).
    const fifo = join(dir, 'stuck-queue.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    assert.equal(made.status, 0, String(made.stderr));
    const out: [string, WalkedOutcome | undefined][] = [];
    await scanInThreads(
      [
        walked(fifo, 'stuck'),
        walked(BENIGN, 'a.pt'),
        walked(BENIGN, 'b.pt'),
        walked(BENIGN, 'c.pt'),
      ],
      1,
      makeLimits({ maxMillisPerFile: 1500 }),
      [],
      (file, outcome) => out.push([file.displayPath, outcome]),
    );
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    assert.deepEqual(
      out.map(([name]) => name),
      ['stuck', 'a.pt', 'b.pt', 'c.pt'],
    );
    const results = new Map(out);
    assert.match((results.get('stuck') as FileResult).findings[0]?.message ?? '', /time limit/);
    for (const name of ['a.pt', 'b.pt', 'c.pt'])
      assert.equal((results.get(name) as FileResult).verdict, 'safe', name);
  });

  it('with the calling thread in the pool: small files there, a FIFO and large files on a worker', async () => {
    // The calling thread opens without blocking and leaves anything but a small regular file to
    // the workers: the FIFO is terminated at its limit on a thread, the 300 KiB file (over
    // CALLING_THREAD_BYTES) is scanned there, and every file is reported once.
    const fifo = join(dir, 'stuck-calling.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    assert.equal(made.status, 0, String(made.stderr));
    const large = join(dir, 'large.pt');
    const bytes = readFileSync(BENIGN);
    writeFileSync(large, Buffer.concat([bytes, Buffer.alloc(300 * 1024)]));
    assert.ok(statSync(large).size > CALLING_THREAD_BYTES);
    const names = ['a.pt', 'stuck', 'b.pt', 'large.pt', 'c.pt', 'd.pt'];
    const paths = [BENIGN, fifo, BENIGN, large, BENIGN, BENIGN];
    const out: [string, WalkedOutcome | undefined][] = [];
    await scanInThreads(
      names.map((name, i) => walked(paths[i] ?? '', name)),
      2,
      makeLimits({ maxMillisPerFile: 1500 }),
      [],
      (file, outcome) => out.push([file.displayPath, outcome]),
      { callingThread: true },
    );
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    assert.deepEqual(out.map(([name]) => name).sort(), [...names].sort());
    const results = new Map(out);
    assert.match((results.get('stuck') as FileResult).findings[0]?.message ?? '', /time limit/);
    for (const name of ['a.pt', 'b.pt', 'c.pt', 'd.pt'])
      assert.equal((results.get(name) as FileResult).verdict, 'safe', name);
    // The zeros appended after the zip's end record: the same report as scanning it alone.
    const alone = await scanPaths([large], { limits: { maxMillisPerFile: 1500 } });
    const brief = (f: FileResult | undefined): unknown => [
      f?.format,
      f?.verdict,
      f?.findings.map((x) => x.ruleId),
    ];
    assert.deepEqual(brief(results.get('large.pt') as FileResult), brief(alone.files[0]));
  });

  it('with the calling thread in the pool: the same report as the calling thread alone', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'torchward-calling-'));
    try {
      for (let i = 0; i < 20; i += 1) copyFileSync(BENIGN, join(folder, `m${String(i)}.pt`));
      for (const evil of ['test/fixtures/torch/evil', 'test/fixtures/pickle/evil']) {
        for (const name of readdirSync(evil).slice(0, 20)) {
          if (statSync(join(evil, name)).isFile())
            copyFileSync(join(evil, name), join(folder, name));
        }
      }
      const one = await scanPaths([folder]);
      const pooled = await scanPaths([folder], { threads: 2 });
      const strip = (f: FileResult): unknown => ({
        ...f,
        findings: f.findings.map((x) => x.ruleId),
      });
      assert.ok(
        one.files.some((f) => f.verdict === 'malicious'),
        'the folder holds malicious files',
      );
      assert.deepEqual(pooled.files.map(strip), one.files.map(strip));
      assert.deepEqual(pooled.summary.skipped, one.summary.skipped);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('scans with threads when node itself was given V8 flags (workers inherit, Node ignores them)', () => {
    // Given explicitly, `--max-semi-space-size` or `--expose-gc` is refused for a worker
    // (ERR_WORKER_INVALID_EXEC_ARGV), which made every threaded file an internal error (exit 4).
    const models = mkdtempSync(join(tmpdir(), 'torchward-v8-flags-'));
    try {
      for (let i = 0; i < 16; i += 1) copyFileSync(BENIGN, join(models, `m${String(i)}.pt`));
      for (const flags of [['--max-semi-space-size=32', '--expose-gc'], ['--stack-size=2000']]) {
        const r = spawnSync(process.execPath, [...flags, BIN, 'scan', '-f', 'json', models], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        assert.equal(r.status, 0, `${flags.join(' ')}: ${r.stderr}`);
        const report = JSON.parse(r.stdout) as { files: { verdict: string }[] };
        assert.deepEqual(
          report.files.map((f) => f.verdict),
          new Array<string>(16).fill('safe'),
        );
      }
    } finally {
      rmSync(models, { recursive: true, force: true });
    }
  });

  it('works for a library caller under node --input-type=module (workers drop that flag)', () => {
    // Node refuses to start a worker from a file while --input-type is in its execArgv. Sixteen
    // checkpoints are enough for the scan to use its threads.
    const models = mkdtempSync(join(tmpdir(), 'torchward-input-type-'));
    try {
      for (let i = 0; i < 16; i += 1) copyFileSync(BENIGN, join(models, `m${String(i)}.pt`));
      const entry = new URL('../../src/index.js', import.meta.url).href;
      const script = `const { scanPaths } = await import(${JSON.stringify(entry)});
const report = await scanPaths([${JSON.stringify(models)}], { threads: 2 });
console.log(report.files.map((f) => f.verdict).join(','));`;
      // With a V8 flag too: the explicit list without --input-type is refused, so workers get none.
      const run = spawnSync(
        process.execPath,
        ['--max-semi-space-size=32', '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(run.stdout.trim().split(','), new Array<string>(16).fill('safe'));
    } finally {
      rmSync(models, { recursive: true, force: true });
    }
  });
});
