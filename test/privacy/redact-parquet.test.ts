import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import { runCli } from '../helpers/cli-io.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/privacy');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'torchward-redact-parquet-'));
}

async function read(path: string) {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  return { metadata, rows: await parquetReadObjects({ file, metadata }) };
}

describe('redact Parquet', () => {
  it("rewrites pyarrow's file with rows, columns, order, types and row groups kept", async () => {
    const dir = tmp();
    const r = await runCli(
      ['redact', '--mode', 'placeholder', join(FIXTURES, 'people.parquet'), 'out.parquet'],
      {},
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const before = await read(join(FIXTURES, 'people.parquet'));
    const after = await read(join(dir, 'out.parquet'));
    assert.deepEqual(after.metadata.schema, before.metadata.schema);
    assert.deepEqual(
      after.metadata.row_groups.map((g) => g.num_rows),
      before.metadata.row_groups.map((g) => g.num_rows),
    );
    assert.deepEqual(after.metadata.key_value_metadata, before.metadata.key_value_metadata);
    assert.deepEqual(after.rows, [
      { id: 1n, email: '<EMAIL_1>', note: 'card <CREDIT_CARD_1>', score: 0.5 },
      { id: 2n, email: 'none', note: 'iban <IBAN_1>', score: 0.25 },
      { id: 3n, email: '<EMAIL_2>', note: 'ok', score: 1 },
    ]);
    assert.deepEqual(readdirSync(dir), ['out.parquet']);
  });

  it('keeps nulls, booleans, 32-bit integers, floats and binary values as they were', async () => {
    const dir = tmp();
    const input = join(dir, 'in.parquet');
    parquetWriteFile({
      filename: input,
      columnData: [
        { name: 'ok', data: [true, false, null], type: 'BOOLEAN' },
        { name: 'n', data: [7, null, -3], type: 'INT32' },
        { name: 'f', data: [1.5, 2.25, null], type: 'FLOAT' },
        { name: 'who', data: ['ssn 460-89-9847', null, 'nobody'], type: 'STRING' },
        {
          name: 'raw',
          data: [new Uint8Array([0xff, 0]), null, new TextEncoder().encode('a@b.de')],
          type: 'BYTE_ARRAY',
        },
      ],
      rowGroupSize: 2,
    });
    const r = await runCli(
      ['redact', '--mode', 'placeholder', 'in.parquet', 'out.parquet'],
      {},
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const before = await read(input);
    const after = await read(join(dir, 'out.parquet'));
    assert.deepEqual(after.metadata.schema, before.metadata.schema);
    assert.deepEqual(
      after.rows.map((row) => ({ ...row, who: undefined })),
      before.rows.map((row) => ({ ...row, who: undefined })),
    );
    assert.deepEqual(
      after.rows.map((row) => row.who as unknown),
      ['ssn <US_SSN_1>', null, 'nobody'],
    );
  });

  it('leaves no OUT for a lying footer or a column it cannot rewrite', async () => {
    const dir = tmp();
    copyFileSync(join(FIXTURES, 'lying-footer.parquet'), join(dir, 'lying.parquet'));
    const lying = await runCli(['redact', 'lying.parquet', 'out.parquet'], {}, dir);
    assert.equal(lying.code, 3);
    assert.match(lying.stderr, /no output written/);
    parquetWriteFile({
      filename: join(dir, 'timestamp.parquet'),
      columnData: [{ name: 'when', data: [new Date(0)], type: 'TIMESTAMP' }],
    });
    const timestamp = await runCli(['redact', 'timestamp.parquet', 'out.parquet'], {}, dir);
    assert.equal(timestamp.code, 3);
    assert.match(timestamp.stderr, /column when .*cannot be rewritten/);
    assert.deepEqual(readdirSync(dir).sort(), ['lying.parquet', 'timestamp.parquet']);
  });
});
