import { FormatError } from '../core/errors.js';
import type { Confidence } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import type { PrivacyDetector } from './detect.js';
import { maskValue } from './mask.js';
import { readFields, type PrivacyFormat, type ReadProblem } from './records.js';

/** One located hit, as reported: the value only masked. */
export interface LocatedHit {
  readonly entity: string;
  readonly confidence: Confidence;
  readonly example: boolean;
  readonly detail?: string;
  /** The value masked (maskValue): never the value itself. */
  readonly masked: string;
  readonly line?: number;
  readonly record?: number;
  readonly column?: string;
  /** 0-based UTF-16 offset in the line, when the searched text was the line. */
  readonly offset?: number;
  readonly length: number;
  /** Byte offset in the file (model metadata). */
  readonly byteOffset?: number;
}

/** Per column (or `(text)` for line formats) and entity: how many hits, and one masked sample. */
export interface ColumnSummary {
  readonly column: string;
  readonly entity: string;
  readonly count: number;
  /** How many of them are published example values. */
  readonly examples: number;
  readonly sample: string;
}

/** The privacy scan of one file. */
export interface PrivacyFileScan {
  readonly format: PrivacyFormat;
  /** The first MAX_LOCATED_HITS hits in file order; `totalHits` counts them all. */
  readonly hits: readonly LocatedHit[];
  readonly totalHits: number;
  readonly columns: readonly ColumnSummary[];
  readonly problems: readonly ReadProblem[];
  /** Values searched. */
  readonly values: number;
}

/** Located hits kept per file; the rest are counted per column only (a 2 GB file stays small). */
export const MAX_LOCATED_HITS = 1000;
/** Columns tracked per file; hits in further columns count under `(other columns)`. */
const MAX_TRACKED_COLUMNS = 1000;
/** Problems kept per file (the first ones; each kind is reported once per column anyway). */
const MAX_PROBLEMS = 100;

/**
 * Reads `path` as `format` and searches every value with `detector`, keeping located hits
 * (capped), per-column counts with a masked sample, and the read problems (binary data in a
 * text column, malformed records, limits). Values are dropped as soon as they are searched.
 */
export async function scanPrivacyFile(
  path: string,
  name: string,
  format: PrivacyFormat,
  limits: Limits,
  detector: PrivacyDetector,
  /** `fast: false` hands every value to the detector (the differential test's reference path). */
  options: { readonly fast?: boolean } = {},
): Promise<PrivacyFileScan> {
  const hits: LocatedHit[] = [];
  let totalHits = 0;
  let values = 0;
  const columns = new Map<string, { count: number; examples: number; sample: string }>();
  const problems: ReadProblem[] = [];
  const binaryColumns = new Map<string, { count: number; line?: number }>();
  const problem = (p: ReadProblem): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const keywords = detector.secretKeywords();
  const inert = {
    secretsPossible: (text: string): boolean => detector.secretsPossible(text),
    // JSONL records are then read as bytes, the keyword search inside the same pass.
    ...(keywords === undefined ? {} : { keywords }),
    count(n: number): void {
      values += n;
    },
  };
  const reading = readFields(path, name, format, limits, {
    problem,
    ...(options.fast === false ? {} : { inert }),
    field(field) {
      values++;
      const columnName = field.column ?? '(text)';
      // Binary bytes in a text value decode to U+FFFD; NUL never belongs in text either.
      if (field.text.includes('\uFFFD') || field.text.includes('\0')) {
        const b = binaryColumns.get(columnName) ?? { count: 0 };
        if (b.count === 0 && field.line !== undefined) b.line = field.line;
        b.count++;
        binaryColumns.set(columnName, b);
      }
      const found = detector.detect(field.text, field.column ?? '', name);
      for (const h of found) {
        totalHits++;
        const masked = maskValue(h.value, h.entity);
        let key = `${columnName}\u0000${h.entity}`;
        if (!columns.has(key) && columns.size >= MAX_TRACKED_COLUMNS)
          key = `(other columns)\u0000${h.entity}`;
        const c = columns.get(key) ?? { count: 0, examples: 0, sample: masked };
        c.count++;
        if (h.example) c.examples++;
        columns.set(key, c);
        if (hits.length >= MAX_LOCATED_HITS) continue;
        hits.push({
          entity: h.entity,
          confidence: h.confidence,
          example: h.example,
          ...(h.detail === undefined ? {} : { detail: h.detail }),
          masked,
          ...(field.line === undefined ? {} : { line: field.line }),
          ...(field.record === undefined ? {} : { record: field.record }),
          ...(field.column === undefined ? {} : { column: field.column }),
          ...(field.offset === undefined ? {} : { offset: field.offset + h.start }),
          length: h.end - h.start,
          ...(field.byteOffset === undefined ? {} : { byteOffset: field.byteOffset }),
        });
      }
    },
  });
  try {
    await reading;
  } catch (error) {
    // What was read before the failure stays reported; the failure itself is a finding.
    problem({
      code: error instanceof FormatError ? error.code : 'UNREADABLE',
      message: `reading stopped: ${error instanceof Error ? error.message : String(error)}`,
      fatal: true,
    });
  }
  for (const [column, b] of binaryColumns) {
    problem({
      code: 'BINARY_VALUE',
      message: `${b.count} value(s) hold binary data (invalid UTF-8 or NUL); searched as text`,
      ...(b.line === undefined ? {} : { line: b.line }),
      ...(column === '(text)' ? {} : { column }),
    });
  }
  const summary: ColumnSummary[] = [...columns].map(([key, c]) => {
    const [column = '', entity = ''] = key.split('\u0000');
    return { column, entity, count: c.count, examples: c.examples, sample: c.sample };
  });
  summary.sort((a, b) =>
    a.column < b.column ? -1 : a.column > b.column ? 1 : a.entity < b.entity ? -1 : 1,
  );
  return { format, hits, totalHits, columns: summary, problems, values };
}
