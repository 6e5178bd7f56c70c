import { open, type FileHandle } from 'node:fs/promises';
import type * as Hyparquet from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import type { DataType } from 'apache-arrow';
import { FileSource } from '../core/byte-source.js';
import { FormatError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import { readGgufHeader } from '../formats/gguf/index.js';
import { withArrowCodecs } from './arrow-codecs.js';
import { noRecognizerCanMatch } from './detect.js';
import type { KeywordSearch } from './keywords.js';
import { parquetCompressors } from './parquet-codecs.js';
import { readSafetensorsHeader } from '../formats/safetensors/index.js';
import { JsonRecordScanner, RECORD_BLANK, RECORD_OK } from './json-bytes.js';
import { byteChunks, eachLine, MAX_WINDOW_CHARS, wrapperOf, type TextLine } from './text-stream.js';

/** The data formats the privacy scan reads. */
export type PrivacyFormat =
  'text' | 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet' | 'arrow' | 'safetensors' | 'gguf';

/** One value to search, with where it came from. */
export interface Field {
  readonly text: string;
  /** 1-based line (text formats) or undefined. */
  readonly line?: number;
  /** 1-based record number (JSONL line, CSV data row, Parquet row). */
  readonly record?: number;
  /** Column name (CSV header, JSON key path, Parquet column, metadata key). */
  readonly column?: string;
  /** UTF-16 offset of `text` within its line, when the text is the line itself. */
  readonly offset?: number;
  /** Byte offset of the value in the file (model metadata). */
  readonly byteOffset?: number;
  /** CSV/TSV: more of the same cell follows (a cell longer than one window). */
  readonly part?: boolean;
  /** CSV/TSV: 0-based column index. */
  readonly index?: number;
}

/** A reason part of a file was not read as data (it was skipped or read as plain text). */
export interface ReadProblem {
  readonly code: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: string;
  /** Reading stopped here: the rest of the file was not searched. */
  readonly fatal?: boolean;
}

/** Receives fields and problems as a file is read, in file order. */
export interface FieldSink {
  field(field: Field): void;
  problem(problem: ReadProblem): void;
  /** CSV/TSV only: called after the last field of each row (redaction rebuilds rows). */
  rowEnd?(): void;
  /**
   * JSONL fast path (scanning only). When given and `inert.secretsPossible(line)` (the
   * detector's keyword prefilter, over the whole record once) is false, a value of the record
   * in which no recogniser can match (noRecognizerCanMatch) and without binary data cannot hold
   * a hit and is only counted (`inert.count`), not handed over.
   */
  readonly inert?: {
    secretsPossible(text: string): boolean;
    /**
     * The keyword search that alone decides `secretsPossible` (null: it is always false;
     * PrivacyDetector.secretKeywords). When given, JSONL records are read as bytes
     * (readJsonlBytes), the search run inside the same pass.
     */
    readonly keywords?: KeywordSearch | null;
    count(values: number): void;
  };
}

const TEXT_EXTENSIONS =
  /\.(?:txt|text|md|log|env|ya?ml|toml|ini|cfg|conf|properties|xml|html?|sql|tsv\.txt)$/i;

/**
 * The privacy format of a file by its name (after a compression extension), or undefined when
 * the privacy scan does not read it. Notebooks, tokenizer and config files are JSON, read line
 * by line so every hit has its line.
 */
export function privacyFormatOf(name: string): PrivacyFormat | undefined {
  const wrapper = wrapperOf(name);
  const inner = wrapper === undefined ? name : name.slice(0, name.lastIndexOf('.'));
  const lower = inner.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json') || lower.endsWith('.ipynb')) return 'json';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  if (wrapper !== undefined) return TEXT_EXTENSIONS.test(lower) ? 'text' : undefined;
  if (lower.endsWith('.parquet')) return 'parquet';
  // Arrow IPC: Feather v2 files and the stream shards of Hugging Face `datasets` folders.
  if (lower.endsWith('.arrow') || lower.endsWith('.feather') || lower.endsWith('.arrows'))
    return 'arrow';
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.gguf')) return 'gguf';
  if (TEXT_EXTENSIONS.test(lower) || /(?:^|\/)\.env(?:\.[\w-]+)?$/.test(lower)) return 'text';
  return undefined;
}

/** JSON records longer than this are searched as text, not parsed. */
const MAX_RECORD_CHARS = MAX_WINDOW_CHARS;
/** Deepest JSON nesting walked; deeper values are searched as the record's text. */
const MAX_JSON_DEPTH = 512;
/** Most CSV columns named by the header; later columns are called `#N`. */
const MAX_NAMED_COLUMNS = 10_000;
/** Largest Parquet column chunk decoded at once (uncompressed bytes). */
const MAX_PARQUET_CHUNK = 128 * 1024 * 1024;

/**
 * Reads every searchable value of `path` in `format` into `sink`, streaming and bounded: text
 * formats line by line (long lines in windows), Parquet one column chunk at a time, model
 * artifacts only their metadata. Malformed input becomes a problem (never an exception), and
 * what can still be read is read. Throws FormatError only when nothing can be read.
 */
export async function readFields(
  path: string,
  name: string,
  format: PrivacyFormat,
  limits: Limits,
  sink: FieldSink,
): Promise<void> {
  switch (format) {
    case 'text':
    case 'json':
      await eachLine(byteChunks(path, wrapperOf(name), limits), (l) => {
        sink.field({ text: l.text, line: l.line, offset: l.column });
      });
      return;
    case 'jsonl':
      await readJsonl(path, name, limits, sink);
      return;
    case 'csv':
    case 'tsv':
      await readDelimited(path, name, format === 'csv' ? ',' : '\t', limits, sink);
      return;
    case 'parquet':
      await readParquet(path, sink);
      return;
    case 'arrow':
      await withArrowCodecs(limits.maxTotalInflatedBytes, () => readArrow(path, sink));
      return;
    case 'safetensors':
      await readSafetensorsMetadata(path, limits, sink);
      return;
    case 'gguf':
      await readGgufMetadata(path, limits, sink);
      return;
  }
}

async function readJsonl(
  path: string,
  name: string,
  limits: Limits,
  sink: FieldSink,
): Promise<void> {
  let record = 0;
  const onLine = (l: TextLine): void => {
    if (l.column === 0) record++;
    if (l.partial) {
      if (l.column === 0)
        sink.problem({
          code: 'LIMIT_EXCEEDED',
          message: `record longer than ${MAX_RECORD_CHARS} characters: searched as text`,
          line: l.line,
        });
      sink.field({ text: l.text, line: l.line, record, offset: l.column });
      return;
    }
    if (l.text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(l.text);
    } catch {
      sink.problem({
        code: 'BAD_JSON',
        message: 'record is not JSON: searched as text',
        line: l.line,
      });
      sink.field({ text: l.text, line: l.line, record, offset: 0 });
      return;
    }
    // No secret rule's keyword in the record: a value no recogniser can match in (and not
    // binary) cannot hold a hit, so it is only counted (see FieldSink.inert).
    const inert =
      sink.inert !== undefined && !sink.inert.secretsPossible(l.text) ? sink.inert : undefined;
    let skipped = 0;
    walkJson(
      value,
      (v, column) => {
        if (inert !== undefined && inertValue(v)) skipped++;
        else
          sink.field({ text: typeof v === 'string' ? v : String(v), line: l.line, record, column });
      },
      () => {
        sink.problem({
          code: 'LIMIT_EXCEEDED',
          message: `record nested deeper than ${MAX_JSON_DEPTH}: searched as text`,
          line: l.line,
        });
        sink.field({ text: l.text, line: l.line, record, offset: 0 });
      },
    );
    if (skipped > 0) inert?.count(skipped);
  };
  const chunks = byteChunks(path, wrapperOf(name), limits);
  const inert = sink.inert;
  if (inert?.keywords === undefined) {
    await eachLine(chunks, onLine);
    return;
  }
  // The byte path: a record without a secret keyword is checked and its values picked out in
  // one pass over its bytes (JsonRecordScanner); any other record, and any the scanner cannot
  // settle, goes to onLine as the decoded line, as before.
  const scanner = new JsonRecordScanner(inertValue, inert.keywords);
  await readJsonlBytes(
    chunks,
    (b, start, end, line) => {
      const verdict = scanner.scan(b, start, end);
      if (verdict === RECORD_OK || verdict === RECORD_BLANK) {
        record++;
        for (const v of scanner.values)
          sink.field({ text: v.text, line, record, column: v.column });
        if (scanner.inert > 0) inert.count(scanner.inert);
        return;
      }
      // A keyword, or a record the scanner leaves to JSON.parse (invalid ones too: JSON.parse's
      // verdict and the trim() of blank lines decide there, as before).
      onLine({ line, column: 0, text: b.toString('utf8', start, end), partial: false });
    },
    onLine,
  );
}

/**
 * The lines of a JSONL byte stream as eachLine cuts them, as bytes: `onRecord(b, start, end,
 * line)` for each line of at most MAX_RECORD_CHARS bytes (without its LF and the CR before it;
 * a last line without LF keeps its CR, as eachLine keeps it), found with Buffer.indexOf on the
 * read chunks and copied only when it spans two. A longer line, which may need windows, goes
 * through eachLine to `onLine`, streamed: memory stays bounded by the window and a chunk. A
 * byte order mark at the start is dropped, as the UTF-8 decoder drops it.
 */
async function readJsonlBytes(
  chunks: AsyncIterable<Uint8Array>,
  onRecord: (b: Buffer, start: number, end: number, line: number) => void,
  onLine: (l: TextLine) => void,
): Promise<void> {
  const it = withoutBom(chunks)[Symbol.asyncIterator]();
  // Closed however reading ends, so a gzip stream is destroyed on an error too.
  const read = async (): Promise<void> => {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let rest: Buffer | undefined;
    let line = 1;
    // Synchronous for a record (no await per line); a promise only for a line over a window.
    const whole = (
      b: Buffer,
      start: number,
      end: number,
      terminated: boolean,
    ): Promise<void> | undefined => {
      if (end - start <= MAX_RECORD_CHARS) {
        // eachLine drops one CR before an LF only.
        onRecord(b, start, terminated && end > start && b[end - 1] === 0x0d ? end - 1 : end, line);
        return undefined;
      }
      return eachLine([b.subarray(start, terminated ? end + 1 : end)], onLine, {
        firstLine: line,
        keepBom: true,
      });
    };
    for (;;) {
      let chunk: Buffer;
      if (rest !== undefined) {
        chunk = rest;
        rest = undefined;
      } else {
        const r = await it.next();
        if (r.done === true) break;
        chunk = r.value;
      }
      let p = 0;
      for (let nl = chunk.indexOf(10, p); nl >= 0; nl = chunk.indexOf(10, p)) {
        if (pendingBytes > 0) {
          pending.push(chunk.subarray(p, nl + 1));
          const joined = Buffer.concat(pending);
          pending = [];
          pendingBytes = 0;
          const long = whole(joined, 0, joined.length - 1, true);
          if (long !== undefined) await long;
        } else {
          const long = whole(chunk, p, nl, true);
          if (long !== undefined) await long;
        }
        line++;
        p = nl + 1;
      }
      if (p < chunk.length) {
        pending.push(chunk.subarray(p));
        pendingBytes += chunk.length - p;
      }
      if (pendingBytes > MAX_RECORD_CHARS) {
        // A line longer than a window so far: the rest of it streams through eachLine.
        const held = pending;
        pending = [];
        pendingBytes = 0;
        // In an object: TypeScript does not see the generator below change a plain local.
        const state = { terminated: false };
        const lineBytes = async function* (): AsyncGenerator<Uint8Array> {
          yield* held;
          for (;;) {
            const r = await it.next();
            if (r.done === true) return;
            const nl = r.value.indexOf(10);
            if (nl < 0) {
              yield r.value;
              continue;
            }
            yield r.value.subarray(0, nl + 1);
            if (nl + 1 < r.value.length) rest = r.value.subarray(nl + 1);
            state.terminated = true;
            return;
          }
        };
        await eachLine(lineBytes(), onLine, { firstLine: line, keepBom: true });
        if (!state.terminated) return;
        line++;
      }
    }
    if (pendingBytes > 0) {
      const joined = Buffer.concat(pending);
      const long = whole(joined, 0, joined.length, false);
      if (long !== undefined) await long;
    }
  };
  try {
    await read();
  } finally {
    await it.return(undefined);
  }
}

/** `chunks` as Buffers, without a leading UTF-8 byte order mark (EF BB BF). */
async function* withoutBom(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const c of chunks) {
    const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    if (head === undefined) {
      yield chunk;
      continue;
    }
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    if (head.length < 3) continue;
    yield head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    head = undefined;
  }
  if (head !== undefined && head.length > 0) yield head;
}

/** A value scan-file reports as binary data: always handed over. */
const BINARY = /[\uFFFD\0]/;
/** Neither binary nor a character some recogniser needs: most values of most records. */
const MAYBE_LIVE = /[\d@\uFFFD\0]/;

/**
 * True when a JSON value of a record without secret keywords cannot hold a hit: as
 * `!BINARY.test(text) && noRecognizerCanMatch(text)` for its text (String(v) for a number),
 * decided with one search for most strings and without building the text of a number (an
 * integer of at most 8 digits is all String(v) turns into ^-?\d{1,8}$).
 */
export function inertValue(v: string | number): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v > -1e8 && v < 1e8;
  return !MAYBE_LIVE.test(v) || (!BINARY.test(v) && noRecognizerCanMatch(v));
}

/**
 * Calls `onValue` for every string and number in `value` with its key path (`messages[].content`)
 * as the column; `onTooDeep` once when nesting passes the limit.
 */
export function walkJson(
  value: unknown,
  onValue: (value: string | number, column: string) => void,
  onTooDeep: () => void,
): void {
  // In an object: TypeScript does not see the closure below change a plain local.
  const state = { tooDeep: false };
  // Recursive (at most MAX_JSON_DEPTH frames): no frame object per value, less garbage.
  const walk = (v: unknown, path: string, depth: number): void => {
    if (typeof v === 'string') onValue(v, path);
    else if (typeof v === 'number') onValue(v, path);
    else if (typeof v === 'object' && v !== null) {
      if (depth >= MAX_JSON_DEPTH) {
        state.tooDeep = true;
        return;
      }
      if (Array.isArray(v)) {
        const inner = `${path}[]`;
        for (const item of v as unknown[]) walk(item, inner, depth + 1);
      } else {
        for (const k in v) {
          if (Object.hasOwn(v, k))
            walk((v as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, depth + 1);
        }
      }
    }
  };
  walk(value, '', 0);
  if (state.tooDeep) onTooDeep();
}

/** Thrown by walkJsonReplace past MAX_JSON_DEPTH; the caller then treats the record as text. */
export class TooDeepError extends Error {
  override readonly name = 'TooDeepError';
}

/**
 * A copy of a parsed JSON value with every string replaced by `replace(string, keyPath)`, keys
 * and elements in their order. Throws TooDeepError past MAX_JSON_DEPTH (the recursion is bounded
 * by it).
 */
export function walkJsonReplace(
  value: unknown,
  replace: (text: string, column: string) => string,
  path = '',
  depth = 0,
): unknown {
  if (typeof value === 'string') return replace(value, path);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_JSON_DEPTH) throw new TooDeepError(`nested deeper than ${MAX_JSON_DEPTH}`);
  if (Array.isArray(value))
    return value.map((v: unknown) => walkJsonReplace(v, replace, `${path}[]`, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // defineProperty, so a "__proto__" key stays an own data key as JSON.parse made it.
    Object.defineProperty(out, k, {
      value: walkJsonReplace(v, replace, path === '' ? k : `${path}.${k}`, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * RFC 4180 fields (quotes, doubled quotes, CRLF) from a stream, emitted one at a time so a row
 * of a million columns is never held; the first row names the columns.
 */
export async function readDelimited(
  path: string,
  name: string,
  delimiter: string,
  limits: Limits,
  sink: FieldSink,
  all = false,
  chunks: AsyncIterable<Uint8Array> = byteChunks(path, wrapperOf(name), limits),
): Promise<void> {
  const header: string[] = [];
  let record = 0; // 0 = header row
  let column = 0;
  let line = 1;
  let fieldLine = 1;
  let field = '';
  // In an object: TypeScript does not see the closure below change a plain local.
  const state = { quoted: false };
  let afterQuote = false;
  let manyColumnsReported = false;
  const emit = (): void => {
    if (record === 0) {
      if (header.length < MAX_NAMED_COLUMNS) header.push(field);
      // A header value is data too (a leaked credential as a column name).
      if (field !== '' || all)
        sink.field({
          text: field,
          line: fieldLine,
          record: 0,
          column: `#${column + 1}`,
          index: column,
        });
    } else if (field !== '' || all) {
      sink.field({
        text: field,
        line: fieldLine,
        record,
        column: header[column] ?? `#${column + 1}`,
        index: column,
      });
    }
    if (column + 1 === MAX_NAMED_COLUMNS && !manyColumnsReported) {
      manyColumnsReported = true;
      sink.problem({
        code: 'LIMIT_EXCEEDED',
        message: `more than ${MAX_NAMED_COLUMNS} columns: later columns are named by number`,
        line,
      });
    }
    field = '';
    column++;
    fieldLine = line;
  };
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const take = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charAt(i);
      if (state.quoted) {
        if (ch === '"') {
          state.quoted = false;
          afterQuote = true;
        } else {
          if (ch === '\n') line++;
          field += ch;
        }
      } else if (ch === '"') {
        if (afterQuote) field += '"'; // a doubled quote inside a quoted field
        state.quoted = true;
        afterQuote = false;
      } else if (ch === delimiter) {
        afterQuote = false;
        emit();
      } else if (ch === '\n') {
        afterQuote = false;
        if (field.endsWith('\r')) field = field.slice(0, -1);
        emit();
        sink.rowEnd?.();
        line++;
        fieldLine = line;
        record++;
        column = 0;
      } else {
        afterQuote = false;
        field += ch;
      }
      if (field.length >= MAX_WINDOW_CHARS) {
        // An endless field (an unterminated quote, a binary blob) is searched in windows.
        sink.field({
          text: field,
          line: fieldLine,
          record,
          column: header[column] ?? `#${column + 1}`,
          index: column,
          part: true,
        });
        field = '';
      }
    }
  };
  for await (const chunk of chunks) take(decoder.decode(chunk, { stream: true }));
  take(decoder.decode());
  if (state.quoted)
    sink.problem({ code: 'TRUNCATED', message: 'a quoted field is never closed', line: fieldLine });
  if (field !== '' || column > 0) {
    emit();
    sink.rowEnd?.();
  }
}

/** A Parquet file opened for hyparquet, with its footer read; close `handle` when done. */
export interface OpenParquet {
  readonly handle: FileHandle;
  readonly file: AsyncBuffer;
  readonly metadata: FileMetaData;
  /** The library, loaded on first use. */
  readonly hyparquet: typeof Hyparquet;
}

/**
 * Opens `path` for hyparquet and reads its footer. A lying footer can name any range, so every
 * read stays inside the file and below `maxRead` bytes (BAD_LENGTH otherwise); a footer the
 * library refuses is BAD_STRUCTURE. The handle is closed when the footer cannot be read.
 */
export async function openParquet(path: string, maxRead: number): Promise<OpenParquet> {
  const hyparquet = await import('hyparquet');
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const file: AsyncBuffer = {
      byteLength: size,
      async slice(start: number, end?: number): Promise<ArrayBuffer> {
        const stop = Math.min(end ?? size, size);
        if (start < 0 || stop < start || stop - start > maxRead)
          throw new FormatError('BAD_LENGTH', `read of ${stop - start} bytes at ${start}`, start);
        const buffer = new Uint8Array(stop - start);
        await handle.read(buffer, 0, buffer.byteLength, start);
        return buffer.buffer;
      },
    };
    let metadata: FileMetaData;
    try {
      metadata = await hyparquet.parquetMetadataAsync(file);
    } catch (error) {
      throw error instanceof FormatError
        ? error
        : new FormatError('BAD_STRUCTURE', `Parquet footer: ${String(error)}`, size, {
            cause: error,
          });
    }
    return { handle, file, metadata, hyparquet };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readParquet(path: string, sink: FieldSink): Promise<void> {
  const { handle, file, metadata, hyparquet } = await openParquet(path, MAX_PARQUET_CHUNK);
  try {
    let rowBase = 0;
    for (const group of metadata.row_groups) {
      const rows = Number(group.num_rows);
      for (const chunk of group.columns) {
        const meta = chunk.meta_data;
        if (meta === undefined) continue;
        const column = meta.path_in_schema.join('.');
        if (meta.type === 'BOOLEAN' || meta.type === 'FLOAT' || meta.type === 'DOUBLE') continue;
        if (meta.total_uncompressed_size > BigInt(MAX_PARQUET_CHUNK)) {
          sink.problem({
            code: 'LIMIT_EXCEEDED',
            message: `column chunk of ${meta.total_uncompressed_size} bytes in the row group at row ${rowBase + 1} not read`,
            column,
          });
          continue;
        }
        try {
          await hyparquet.parquetRead({
            file,
            metadata,
            columns: [meta.path_in_schema[0] ?? column],
            compressors: parquetCompressors(MAX_PARQUET_CHUNK),
            rowStart: rowBase,
            rowEnd: rowBase + rows,
            onPage(page) {
              const data = page.columnData;
              for (let i = 0; i < data.length; i++) {
                const v: unknown = data[i];
                const text =
                  typeof v === 'string'
                    ? v
                    : typeof v === 'number' || typeof v === 'bigint'
                      ? String(v)
                      : undefined;
                if (text !== undefined && text !== '')
                  sink.field({ text, record: page.rowStart + i + 1, column });
              }
            },
          });
        } catch (error) {
          sink.problem({
            code: error instanceof FormatError ? error.code : 'BAD_STRUCTURE',
            message: `column could not be decoded: ${String(error instanceof Error ? error.message : error)}`,
            column,
          });
        }
      }
      rowBase += rows;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Arrow IPC (file or stream format) one record batch at a time with apache-arrow: every UTF-8
 * column (string and large string) and integer column; nested columns are not read (a problem
 * says so once per column).
 */
async function readArrow(path: string, sink: FieldSink): Promise<void> {
  const arrow = await import('apache-arrow');
  const handle = await open(path, 'r');
  try {
    let reader: Awaited<ReturnType<typeof arrow.RecordBatchReader.from>>;
    try {
      reader = await arrow.RecordBatchReader.from(handle);
      await reader.open();
    } catch (error) {
      throw new FormatError('BAD_STRUCTURE', `Arrow IPC: ${String(error)}`, 0, { cause: error });
    }
    let rowBase = 0;
    const skipped = new Set<string>();
    for await (const batch of batches(reader)) {
      const fields = batch.schema.fields;
      for (let c = 0; c < fields.length; c++) {
        const field = fields[c];
        const vector = batch.getChildAt(c);
        if (field === undefined || vector === null) continue;
        const type = field.type as DataType;
        const text = arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type);
        if (!text && !arrow.DataType.isInt(type)) {
          if (
            !skipped.has(field.name) &&
            (arrow.DataType.isList(type) ||
              arrow.DataType.isStruct(type) ||
              arrow.DataType.isBinary(type))
          ) {
            skipped.add(field.name);
            sink.problem({
              code: 'UNSUPPORTED_FEATURE',
              message: `nested or binary Arrow column (${String(type)}) not read`,
              column: field.name,
            });
          }
          continue;
        }
        for (let r = 0; r < batch.numRows; r++) {
          const v: unknown = vector.get(r);
          if (typeof v === 'string' ? v !== '' : typeof v === 'number' || typeof v === 'bigint')
            sink.field({ text: String(v), record: rowBase + r + 1, column: field.name });
        }
      }
      rowBase += batch.numRows;
    }
  } finally {
    await handle.close();
  }
}

/**
 * The record batches of `reader`; apache-arrow's own failures become FormatErrors (a codec
 * other than LZ4 frame and ZSTD is UNSUPPORTED_FEATURE).
 */
async function* batches<T>(reader: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    for await (const batch of reader) yield batch;
  } catch (error) {
    if (error instanceof FormatError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw message.includes('codec not found')
      ? new FormatError(
          'UNSUPPORTED_FEATURE',
          `${message}: only LZ4-frame and ZSTD compressed Arrow IPC is read`,
          0,
          { cause: error },
        )
      : new FormatError('BAD_STRUCTURE', `Arrow IPC: ${message}`, 0, { cause: error });
  }
}

async function readSafetensorsMetadata(
  path: string,
  limits: Limits,
  sink: FieldSink,
): Promise<void> {
  const source = await FileSource.open(path);
  try {
    const header = await readSafetensorsHeader(source, limits);
    for (const [key, value] of header.metadata ?? new Map<string, string>()) {
      sink.field({ text: key, column: '__metadata__', byteOffset: 8 });
      sink.field({ text: value, column: `__metadata__.${key}`, byteOffset: 8 });
    }
  } finally {
    await source.close();
  }
}

async function readGgufMetadata(path: string, limits: Limits, sink: FieldSink): Promise<void> {
  const source = await FileSource.open(path);
  try {
    const header = await readGgufHeader(source, limits);
    for (const entry of header.metadata) {
      if (typeof entry.value === 'string')
        sink.field({ text: entry.value, column: entry.key, byteOffset: entry.valueSpan.start });
    }
  } finally {
    await source.close();
  }
}
