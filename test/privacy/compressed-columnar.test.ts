import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { makeLimits } from '../../src/core/limits.js';
import { decodeArrowZstd, inflateZstd, withArrowCodecs } from '../../src/privacy/arrow-codecs.js';
import { PrivacyDetector } from '../../src/privacy/detect.js';
import { scanPrivacyFile } from '../../src/privacy/scan-file.js';
import { runCli } from '../helpers/cli-io.js';
import { formatErrorCode } from '../helpers/format-error-code.js';
import { torch2Env, torch2Python } from '../helpers/torch2.js';

// pyarrow (in the torch2 venv, scripts/torch-venv.mjs) writes every file these tests read:
// Feather v2 with ZSTD and LZ4 bodies, an Arrow IPC stream with ZSTD bodies, and Parquet with
// each codec hyparquet needs a decompressor for. 3,000 rows in row groups / batches of 1,000.
const WRITER = `
import sys, pyarrow as pa, pyarrow.feather as feather, pyarrow.ipc as ipc, pyarrow.parquet as pq
out = sys.argv[1]
n = 3000
table = pa.table({
    'id': pa.array(range(n), pa.int64()),
    'email': [f'user{i}@mailbox.org' if i % 3 == 0 else 'none' for i in range(n)],
    'note': ['card 4454 7945 1139 0933' if i % 100 == 7 else 'the model was trained' for i in range(n)],
})
for codec in ('zstd', 'lz4'):
    feather.write_feather(table, f'{out}/rows-{codec}.feather', compression=codec, chunksize=1000)
with ipc.new_stream(f'{out}/rows-zstd.arrows', table.schema,
                    options=ipc.IpcWriteOptions(compression='zstd')) as w:
    for batch in table.to_batches(max_chunksize=1000):
        w.write_batch(batch)
for codec in ('zstd', 'lz4', 'snappy', 'gzip', 'brotli'):
    pq.write_table(table, f'{out}/rows-{codec}.parquet', compression=codec, row_group_size=1000)
`;

describe('compressed Arrow IPC and Parquet written by pyarrow', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'torchward-privacy-codecs-'));
    execFileSync(torch2Python(), ['-c', WRITER, dir], { env: torch2Env(), stdio: 'pipe' });
  });

  for (const name of [
    'rows-zstd.feather',
    'rows-lz4.feather',
    'rows-zstd.arrows',
    'rows-zstd.parquet',
    'rows-lz4.parquet',
    'rows-snappy.parquet',
    'rows-gzip.parquet',
    'rows-brotli.parquet',
  ]) {
    it(`scans ${name}: every value read, every email and card found`, async () => {
      const path = join(dir, name);
      const format = name.endsWith('.parquet') ? 'parquet' : 'arrow';
      const r = await scanPrivacyFile(path, path, format, makeLimits(), new PrivacyDetector());
      assert.deepEqual(r.problems, []);
      const count = (column: string, entity: string): number | undefined =>
        r.columns.find((c) => c.column === column && c.entity === entity)?.count;
      assert.equal(count('email', 'email'), 1000);
      assert.equal(count('note', 'credit-card'), 30);
      // 3,000 ids, 3,000 emails or "none", 3,000 notes.
      assert.equal(r.values, 9000);
      assert.equal(r.totalHits, 1030);
      // Rows of every batch or row group, numbered from 1 (row i holds an email when i % 3 == 0).
      const records = r.hits.filter((h) => h.entity === 'email').map((h) => h.record ?? 0);
      assert.ok(records.every((n) => n % 3 === 1));
      assert.ok(records.some((n) => n > 2000));
    });
  }

  for (const codec of ['zstd', 'lz4', 'gzip', 'brotli']) {
    it(`redacts the ${codec} Parquet file: rows kept, no email left`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'torchward-privacy-codecs-out-'));
      const r = await runCli(
        ['redact', '--mode', 'placeholder', join(dir, `rows-${codec}.parquet`), 'out.parquet'],
        {},
        out,
      );
      assert.equal(r.code, 0, r.stderr);
      const file = await asyncBufferFromFile(join(out, 'out.parquet'));
      const rows = (await parquetReadObjects({
        file,
        metadata: await parquetMetadataAsync(file),
      })) as { id: bigint; email: string; note: string }[];
      assert.equal(rows.length, 3000);
      assert.equal(rows[0]?.email, '<EMAIL_1>');
      assert.equal(rows[1]?.email, 'none');
      assert.equal(rows[7]?.note, 'card <CREDIT_CARD_1>');
      assert.equal(rows[2999]?.id, 2999n);
      assert.ok(rows.every((row) => !row.email.includes('@')));
      assert.deepEqual(readdirSync(out), ['out.parquet']);
    });
  }
});

describe('bounded ZSTD decoding', () => {
  const work = mkdtempSync(join(tmpdir(), 'torchward-zstd-'));
  // Real frames from Debian's zstd tool (a file input, so the frame declares its content size).
  function frameOf(data: Uint8Array): Uint8Array {
    const path = join(work, `in-${data.byteLength}`);
    writeFileSync(path, data);
    return execFileSync('/usr/bin/zstd', ['-q', '-c', path]);
  }
  function arrowBuffer(declared: bigint, frame: Uint8Array): Uint8Array {
    const whole = new Uint8Array(8 + frame.byteLength);
    new DataView(whole.buffer).setBigInt64(0, declared, true);
    whole.set(frame, 8);
    return whole.subarray(8);
  }
  const text = new TextEncoder().encode('mail user1@mailbox.org and more text '.repeat(10_000));

  it('decodes a frame to exactly its bytes', () => {
    assert.deepEqual(inflateZstd(frameOf(text), text.byteLength, 1 << 20, 'test'), text);
    assert.deepEqual(decodeArrowZstd(arrowBuffer(BigInt(text.byteLength), frameOf(text))), text);
  });

  it('refuses a bomb before inflating it, and lying or broken streams', async () => {
    // 64 MiB of zeros compress to a few KiB.
    const bomb = frameOf(new Uint8Array(64 * 1024 * 1024));
    assert.ok(bomb.byteLength < 64 * 1024, String(bomb.byteLength));
    // The container says 1 KiB: the block headers alone show the frame can write far more.
    assert.equal(
      formatErrorCode(() => inflateZstd(bomb, 1024, 1 << 20, 'test')),
      'LIMIT_EXCEEDED',
    );
    // A declared length past the ceiling, and past the file's remaining budget.
    assert.equal(
      formatErrorCode(() => inflateZstd(bomb, 64 << 20, 1 << 20, 'test')),
      'LIMIT_EXCEEDED',
    );
    // The file's remaining inflate budget (1 MiB here) is a ceiling too.
    const budget = await withArrowCodecs(1 << 20, () =>
      Promise.resolve(formatErrorCode(() => decodeArrowZstd(arrowBuffer(64n << 20n, bomb)))),
    );
    assert.equal(budget, 'LIMIT_EXCEEDED');
    // Within the ceiling but not what the frame declares.
    assert.equal(
      formatErrorCode(() => inflateZstd(frameOf(text), 1000, 1 << 20, 'test')),
      'BAD_LENGTH',
    );
    // Truncated, not ZSTD, corrupted blocks.
    const frame = frameOf(text);
    assert.equal(
      formatErrorCode(() => inflateZstd(frame.subarray(0, 20), text.byteLength, 1 << 20, 't')),
      'BAD_STRUCTURE',
    );
    assert.equal(
      formatErrorCode(() => inflateZstd(text.subarray(0, 64), 64, 1 << 20, 't')),
      'BAD_STRUCTURE',
    );
    const corrupt = Uint8Array.from(frame);
    for (let i = 20; i < corrupt.byteLength - 8; i += 7) corrupt[i] = (corrupt[i] ?? 0) ^ 0x5a;
    assert.match(
      formatErrorCode(() => inflateZstd(corrupt, text.byteLength, 1 << 20, 't')),
      /^(BAD_STRUCTURE|ok)$/,
    );
  });
});
