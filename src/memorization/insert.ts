import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { Canary, CanaryFile } from './canary-file.js';
import { CanaryError, SeededRandom } from './canary-format.js';
import { itemAt } from '../core/item-at.js';

/** Training-data layouts `canary insert` writes into. */
export type DatasetFormat = 'jsonl' | 'csv' | 'text';

/** Picks the layout from the file name: .jsonl/.ndjson, .csv, anything else is text. */
export function datasetFormatOf(path: string): DatasetFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.csv')) return 'csv';
  return 'text';
}

/** What `insertCanaries` needs. */
export interface InsertOptions {
  readonly format: DatasetFormat;
  /** JSONL key / CSV column that holds the text. */
  readonly field: string;
  /** Repeat counts assigned to canaries in turn (0 = a control, generated but never inserted). */
  readonly repeats: readonly number[];
  readonly seed: string;
}

/** The new dataset text and the canary file with repeats and positions recorded. */
export interface InsertResult {
  readonly text: string;
  readonly manifest: CanaryFile;
  readonly records: number;
}

/**
 * Inserts every canary `repeats` times at random record boundaries (seeded) and returns the new
 * dataset with the 1-based record numbers of each copy (the CSV header is record 0).
 */
export function insertCanaries(
  dataset: string,
  file: CanaryFile,
  datasetPath: string,
  options: InsertOptions,
): InsertResult {
  if (options.repeats.length === 0) throw new CanaryError('--repeats needs at least one count');
  if (file.canaries.length < options.repeats.length) {
    throw new CanaryError(
      `${options.repeats.length} repeat counts but only ${file.canaries.length} canaries: generate at least one canary per count`,
    );
  }
  const split = splitRecords(dataset, options.format);
  let header: string | undefined;
  let records = split.records;
  let column = -1;
  let columns = 0;
  if (options.format === 'csv') {
    header = records[0];
    if (header === undefined) throw new CanaryError('the CSV file has no header row');
    const names = parseCsvRow(header);
    column = names.indexOf(options.field);
    if (column < 0)
      throw new CanaryError(`the CSV header has no column '${options.field}' (use --field)`);
    columns = names.length;
    records = records.slice(1);
  } else if (options.format === 'jsonl') {
    records.forEach((line, i) => {
      try {
        JSON.parse(line);
      } catch {
        throw new CanaryError(`record ${i + 1} of the JSONL file is not JSON`);
      }
    });
  }
  const render = (text: string): string => {
    if (options.format === 'jsonl') return JSON.stringify({ [options.field]: text });
    if (options.format === 'csv') {
      const cells = Array.from({ length: columns }, (_, i) => (i === column ? csvQuote(text) : ''));
      return cells.join(',');
    }
    if (/[\r\n]/.test(text))
      throw new CanaryError(
        'a canary holds a line break; a text dataset cannot hold it as one line',
      );
    return text;
  };
  const random = new SeededRandom(options.seed, 'insert');
  const insertions: { slot: number; order: number; canary: number }[] = [];
  const assigned = file.canaries.map((c, i) => ({
    ...c,
    repeats: itemAt(options.repeats, i % options.repeats.length),
  }));
  assigned.forEach((c, index) => {
    for (let k = 0; k < c.repeats; k++) {
      insertions.push({
        slot: random.below(records.length + 1),
        order: random.uint32(),
        canary: index,
      });
    }
  });
  insertions.sort((a, b) => a.slot - b.slot || a.order - b.order);
  const positions = assigned.map(() => [] as number[]);
  const out: string[] = [];
  if (header !== undefined) out.push(header);
  let next = 0;
  for (let slot = 0; slot <= records.length; slot++) {
    while (next < insertions.length && itemAt(insertions, next).slot === slot) {
      const ins = itemAt(insertions, next++);
      out.push(render(itemAt(assigned, ins.canary).text));
      itemAt(positions, ins.canary).push(out.length - (header === undefined ? 0 : 1));
    }
    if (slot < records.length) out.push(itemAt(records, slot));
  }
  const text = out.join(split.newline) + (out.length > 0 ? split.newline : '');
  const canaries: Canary[] = assigned.map((c, i) => ({
    id: c.id,
    text: c.text,
    repeats: c.repeats,
    positions: itemAt(positions, i),
  }));
  return {
    text,
    records: out.length - (header === undefined ? 0 : 1),
    manifest: {
      ...file,
      canaries,
      dataset: {
        path: datasetPath,
        sha256: createHash('sha256').update(text).digest('hex'),
        records: out.length - (header === undefined ? 0 : 1),
      },
    },
  };
}

/** Splits a dataset into records: lines, or CSV rows (a quoted field may hold line breaks). */
export function splitRecords(
  text: string,
  format: DatasetFormat,
): { records: string[]; newline: string } {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const records: string[] = [];
  if (format !== 'csv') {
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    for (const line of lines) if (format === 'text' || line.trim() !== '') records.push(line);
    return { records, newline };
  }
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' && !quoted) {
      records.push(text.slice(start, i > start && text[i - 1] === '\r' ? i - 1 : i));
      start = i + 1;
    }
  }
  if (quoted) throw new CanaryError('the CSV file ends inside a quoted field');
  if (start < text.length) records.push(text.slice(start));
  return { records, newline };
}

/** Parses one CSV row (RFC 4180 quoting). */
export function parseCsvRow(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const ch = itemAt(row, i);
    if (quoted) {
      if (ch === '"' && row[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes files so that each either appears complete or not at all: every file goes to a
 * temporary sibling first, and only when all are written are they renamed into place. On any
 * error the temporaries are removed.
 */
export async function writeFilesAtomically(
  files: readonly { path: string; text: string }[],
): Promise<void> {
  const temps: { temp: string; path: string }[] = [];
  try {
    for (const f of files) {
      const temp = join(
        dirname(f.path),
        `.${basename(f.path)}.${randomBytes(6).toString('hex')}.tmp`,
      );
      temps.push({ temp, path: f.path });
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(f.text);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const t of temps) await rename(t.temp, t.path);
  } catch (error) {
    await Promise.all(temps.map((t) => unlink(t.temp).catch(() => undefined)));
    throw error;
  }
}
