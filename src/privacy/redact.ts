import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { FormatError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import type { ColumnSource, SchemaElement as WriterSchemaElement } from 'hyparquet-writer';
import type { PrivacyDetector } from './detect.js';
import { maskValue } from './mask.js';
import { parquetCompressors } from './parquet-codecs.js';
import { openParquet, readDelimited, TooDeepError, walkJsonReplace } from './records.js';
import { byteChunks, eachLine, wrapperOf } from './text-stream.js';

/** How a sensitive value is replaced. */
export type RedactMode = 'mask' | 'hmac' | 'placeholder';

/** Formats `redact` writes. */
export type RedactFormat = 'text' | 'jsonl' | 'csv' | 'tsv' | 'parquet';

/** The label of an entity in replacements: `credit-card` → `CREDIT_CARD`, `secret/aws` → `SECRET_AWS`. */
export function entityLabel(entity: string): string {
  return entity.replace(/[/-]/g, '_').toUpperCase();
}

/** Most distinct values a placeholder mapping holds (each costs memory until the end). */
export const MAX_MAPPING = 1_000_000;

/**
 * Replaces every value the detector finds in a text: `mask` keeps a masked form (maskValue),
 * `hmac` writes `<LABEL:16 hex of HMAC-SHA256(key, value)>` (the same value always gives the
 * same token, and without the key it cannot be reversed or tested), `placeholder` writes
 * `<LABEL_N>` numbered per entity in order of first appearance, the same value always the same
 * placeholder. The mapping is kept here, never in the output; `mapping()` returns it for a
 * separate file.
 */
export class Redactor {
  private readonly map = new Map<string, string>();
  private readonly next = new Map<string, number>();
  /** Replacements per entity. */
  readonly counts = new Map<string, number>();

  constructor(
    private readonly detector: PrivacyDetector,
    private readonly mode: RedactMode,
    private readonly key?: Uint8Array,
  ) {
    if (mode === 'hmac' && (key === undefined || key.byteLength < 16))
      throw new TypeError('hmac redaction needs a key of at least 16 bytes');
  }

  /** `text` with every hit replaced; `column` is context for the recognisers. */
  redact(text: string, column = ''): string {
    const hits = this.detector.detect(text, column);
    if (hits.length === 0) return text;
    let out = '';
    let at = 0;
    for (const h of hits) {
      out += text.slice(at, h.start) + this.replacement(h.value, h.entity);
      at = h.end;
      this.counts.set(h.entity, (this.counts.get(h.entity) ?? 0) + 1);
    }
    return out + text.slice(at);
  }

  /** The placeholder mapping (placeholder → value), for a file kept apart from the output. */
  mapping(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.map) out[v] = k.slice(k.indexOf('\u0000') + 1);
    return out;
  }

  private replacement(value: string, entity: string): string {
    const label = entityLabel(entity);
    if (this.mode === 'mask') return maskValue(value, entity);
    if (this.mode === 'hmac') {
      const digest = createHmac('sha256', this.key ?? new Uint8Array(0))
        .update(value)
        .digest('hex');
      return `<${label}:${digest.slice(0, 16)}>`;
    }
    const key = `${entity}\u0000${value}`;
    let placeholder = this.map.get(key);
    if (placeholder === undefined) {
      if (this.map.size >= MAX_MAPPING)
        throw new RangeError(`more than ${MAX_MAPPING} distinct values: use --mode hmac`);
      const n = (this.next.get(label) ?? 0) + 1;
      this.next.set(label, n);
      placeholder = `<${label}_${n}>`;
      this.map.set(key, placeholder);
    }
    return placeholder;
  }
}

/**
 * Writes a redacted copy of `input` to `output` atomically: a temporary file beside `output`,
 * renamed over it only when complete, removed on any failure, so `output` is never partial.
 * Records, columns and their order are kept: JSONL records are re-serialised with their keys
 * in order (string values redacted; a line that is not JSON is redacted as text), CSV/TSV
 * cells are redacted and re-quoted, text is redacted line by line (lines end with LF).
 */
export async function redactFile(
  input: string,
  output: string,
  format: RedactFormat,
  redactor: Redactor,
  limits: Limits,
): Promise<void> {
  const temp = join(dirname(output), `.${basename(output)}.${randomBytes(6).toString('hex')}.tmp`);
  if (format === 'parquet') {
    try {
      // Created here (exclusive, 0600); the Parquet writer then fills the same file.
      await (await open(temp, 'wx', 0o600)).close();
      await redactParquet(input, temp, redactor);
      await rename(temp, output);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return;
  }
  const stream = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
  // Writes wait for the stream to drain, so memory stays bounded on a large input.
  let pending: Promise<unknown> = Promise.resolve();
  const write = (text: string): void => {
    if (!stream.write(text)) pending = once(stream, 'drain');
  };
  // The reader waits for the writer before each chunk: backpressure for a large input.
  const paced = async function* (): AsyncGenerator<Uint8Array> {
    for await (const chunk of byteChunks(input, wrapperOf(input), limits)) {
      await pending;
      yield chunk;
    }
  };
  try {
    const name = input;
    if (format === 'csv' || format === 'tsv') {
      const delimiter = format === 'csv' ? ',' : '\t';
      let row: string[] = [];
      let cell = '';
      await readDelimited(
        input,
        name,
        delimiter,
        limits,
        {
          field(f) {
            cell += f.record === 0 ? f.text : redactor.redact(f.text, f.column ?? '');
            if (f.part === true) return;
            row.push(quoteCell(cell, delimiter));
            cell = '';
          },
          problem() {
            /* a malformed row is still written as read */
          },
          rowEnd() {
            write(`${row.join(delimiter)}\n`);
            row = [];
          },
        },
        true,
        paced(),
      );
    } else {
      const lines: string[] = [];
      await eachLine(paced(), (l) => {
        let text = l.text;
        if (format === 'jsonl' && !l.partial && text.trim() !== '') {
          try {
            const value: unknown = JSON.parse(text);
            text = JSON.stringify(
              walkJsonReplace(value, (s, column) => redactor.redact(s, column)),
            );
          } catch (error) {
            // Not JSON, or nested too deep to rebuild: the record is redacted as text.
            if (!(error instanceof SyntaxError || error instanceof TooDeepError)) throw error;
            text = redactor.redact(text);
          }
        } else text = redactor.redact(text);
        // A long line comes in windows with the same line number: join them back.
        if (l.column > 0) lines.push(text);
        else {
          if (lines.length > 0) write(`${lines.join('')}\n`);
          lines.length = 0;
          lines.push(text);
        }
      });
      if (lines.length > 0) write(`${lines.join('')}\n`);
    }
    await pending;
    stream.end();
    await once(stream, 'finish');
    await rename(temp, output);
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}

type WriterSchema = WriterSchemaElement[];

/** Physical types `redact` rewrites: flat columns whose decoded values the writer re-encodes as read. */
const PARQUET_TYPES = new Set(['BOOLEAN', 'INT32', 'INT64', 'FLOAT', 'DOUBLE', 'BYTE_ARRAY']);
/** Largest row group held in memory at once (uncompressed bytes, as the footer declares). */
const MAX_PARQUET_ROW_GROUP = 256 * 1024 * 1024;

/**
 * Parquet → Parquet, one row group at a time: the input's own schema (names, physical and
 * logical types, nullability) and key/value metadata are written back with hyparquet-writer,
 * row groups keep their sizes, rows their order; UTF-8 string values are redacted with the
 * column name as context, other values copied. Nested columns and types the writer might not
 * re-encode exactly (INT96, FIXED_LEN_BYTE_ARRAY, decimals, dates, timestamps) are refused
 * before anything is written (UNSUPPORTED_FEATURE).
 */
async function redactParquet(input: string, output: string, redactor: Redactor): Promise<void> {
  const { ParquetWriter, fileWriter } = await import('hyparquet-writer');
  const { handle, file, metadata, hyparquet } = await openParquet(input, MAX_PARQUET_ROW_GROUP);
  try {
    const [root, ...leaves] = metadata.schema;
    const columns: { name: string; text: boolean }[] = [];
    for (const e of leaves) {
      const plain =
        e.num_children === undefined &&
        e.repetition_type !== 'REPEATED' &&
        e.type !== undefined &&
        PARQUET_TYPES.has(e.type) &&
        (e.converted_type === undefined || e.converted_type === 'UTF8') &&
        (e.logical_type === undefined || e.logical_type.type === 'STRING');
      if (!plain)
        throw new FormatError(
          'UNSUPPORTED_FEATURE',
          `column ${e.name} (${e.type ?? 'group'}${e.converted_type === undefined ? '' : `, ${e.converted_type}`}) cannot be rewritten: redact writes flat boolean, integer, floating-point, string and binary columns`,
          0,
        );
      columns.push({
        name: e.name,
        text: e.type === 'BYTE_ARRAY' && e.converted_type === 'UTF8',
      });
    }
    if (root?.num_children !== leaves.length)
      throw new FormatError('UNSUPPORTED_FEATURE', 'nested Parquet schema', 0);
    const writer = new ParquetWriter({
      writer: fileWriter(output),
      // hyparquet-writer bundles its own hyparquet types; the checks above keep to the shared subset.
      schema: metadata.schema as unknown as WriterSchema,
      ...(metadata.key_value_metadata === undefined
        ? {}
        : { kvMetadata: metadata.key_value_metadata }),
    });
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rows = Number(group.num_rows);
      if (group.total_byte_size > BigInt(MAX_PARQUET_ROW_GROUP))
        throw new FormatError(
          'LIMIT_EXCEEDED',
          `row group at row ${rowStart + 1} holds ${group.total_byte_size} bytes (limit ${MAX_PARQUET_ROW_GROUP})`,
          0,
        );
      const data: unknown[][] = columns.map(() => []);
      await hyparquet.parquetRead({
        file,
        metadata,
        rowStart,
        rowEnd: rowStart + rows,
        compressors: parquetCompressors(MAX_PARQUET_ROW_GROUP),
        // Strings only where the schema says UTF-8: binary columns stay bytes, copied unchanged.
        utf8: false,
        onComplete(result: unknown[][]) {
          for (const row of result) for (let c = 0; c < columns.length; c++) data[c]?.push(row[c]);
        },
      });
      await writer.write({
        columnData: columns.map((col, c) => ({
          name: col.name,
          data: (data[c] ?? []).map((v) =>
            col.text && typeof v === 'string' ? redactor.redact(v, col.name) : v,
          ) as ColumnSource['data'],
        })),
        rowGroupSize: rows,
      });
      rowStart += rows;
    }
    await writer.finish();
  } finally {
    await handle.close();
  }
}

function quoteCell(cell: string, delimiter: string): string {
  if (cell.includes('"') || cell.includes(delimiter) || cell.includes('\n') || cell.includes('\r'))
    return `"${cell.replace(/"/g, '""')}"`;
  return cell;
}
