import { createHash } from 'node:crypto';

/** One labelled row of data/guard/*.jsonl. */
export interface LabelledRow {
  readonly id: string;
  readonly file: string;
  readonly text: string;
  readonly label: 'injection' | 'jailbreak' | 'benign';
  readonly kind: string;
  readonly payload?: string;
}

/** Which part of the data a row belongs to. */
export type Split = 'train' | 'tune' | 'test';

/**
 * The split of a row: 60% train (model weights), 20% tune (combiner and mode thresholds), 20%
 * test (reported only). Decided by SHA-256 of the row's group key, the inserted payload for
 * indirect rows and the text otherwise, so the same attack in several host documents, or on its
 * own, never straddles two splits. Deterministic: no seed, no order dependence.
 */
export function splitOf(row: Pick<LabelledRow, 'text' | 'payload'>): Split {
  const key = row.payload ?? row.text;
  const h = createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0) / 2 ** 32;
  return h < 0.6 ? 'train' : h < 0.8 ? 'tune' : 'test';
}

/** Parses a labelled JSONL file's text; rows without a string text or known label are errors. */
export function parseLabelledJsonl(text: string, file: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    const label = r.label;
    if (
      typeof r.text !== 'string' ||
      typeof r.id !== 'string' ||
      (label !== 'injection' && label !== 'jailbreak' && label !== 'benign')
    ) {
      throw new TypeError(`${file}:${i + 1}: not a labelled row`);
    }
    rows.push({
      id: r.id,
      file,
      text: r.text,
      label,
      kind: typeof r.kind === 'string' ? r.kind : '',
      ...(typeof r.payload === 'string' ? { payload: r.payload } : {}),
    });
  }
  return rows;
}
