import type { Span } from '../core/finding.js';

/** A JSON value rendered as indented text, with the span of every member in that text. */
export interface LocatedJson {
  readonly value: unknown;
  /** The value as two-space indented JSON: what reports show and spans point into. */
  readonly text: string;
  /**
   * The span of the value at `path` (object keys and array indexes), from its key (or its first
   * character for array items) to its end; the nearest enclosing value when the path is absent.
   */
  span(path: readonly (string | number)[]): Span;
}

// API objects nest a few levels; deeper input is cut (rendered as "…") rather than recursed into.
const MAX_DEPTH = 32;

/**
 * Renders `value` (parsed JSON: objects, arrays, strings, numbers, booleans, null) the way
 * `JSON.stringify(value, null, 2)` does, recording where each member lands.
 */
export function locateJson(value: unknown): LocatedJson {
  const spans = new Map<string, Span>();
  let text = '';
  const write = (v: unknown, path: string, indent: string, depth: number): void => {
    if (depth > MAX_DEPTH) {
      text += '"…"';
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) {
        text += '[]';
        return;
      }
      text += '[\n';
      v.forEach((item, i) => {
        const start = text.length + indent.length + 2;
        text += `${indent}  `;
        write(item, `${path}/${i}`, `${indent}  `, depth + 1);
        spans.set(`${path}/${i}`, { start, end: text.length });
        text += i < v.length - 1 ? ',\n' : '\n';
      });
      text += `${indent}]`;
      return;
    }
    if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      if (entries.length === 0) {
        text += '{}';
        return;
      }
      text += '{\n';
      entries.forEach(([key, item], i) => {
        const start = text.length + indent.length + 2;
        text += `${indent}  ${JSON.stringify(key)}: `;
        write(item, `${path}/${escapeKey(key)}`, `${indent}  `, depth + 1);
        spans.set(`${path}/${escapeKey(key)}`, { start, end: text.length });
        text += i < entries.length - 1 ? ',\n' : '\n';
      });
      text += `${indent}}`;
      return;
    }
    // undefined (or anything JSON cannot hold) renders as null, as inside JSON arrays.
    const rendered = JSON.stringify(v) as string | undefined;
    text += rendered ?? 'null';
  };
  write(value, '', '', 0);
  const whole: Span = { start: 0, end: text.length };
  return {
    value,
    text,
    span(path) {
      for (let n = path.length; n > 0; n--) {
        const key = path
          .slice(0, n)
          .map((p) => `/${escapeKey(String(p))}`)
          .join('');
        const found = spans.get(key);
        if (found !== undefined) return found;
      }
      return whole;
    },
  };
}

function escapeKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
