import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

/** A `key: value` pair found in a YAML/JSON document, with the value's character range. */
export interface FoundPair {
  readonly key: string;
  readonly value: Node | null;
  /** Logical path of the value. */
  readonly path: readonly (string | number)[];
  /** [start, end) of the key and value in characters. */
  readonly span: { readonly start: number; readonly end: number };
}

// Config files hold hundreds of keys; a million nodes means a hostile file (bounded by maxTextBytes).
const MAX_NODES = 1_000_000;

/**
 * Every mapping pair in `doc` (depth-first, document order), walked with an explicit stack.
 * Aliases are not followed, so alias bombs cost nothing.
 */
export function documentPairs(doc: Document): FoundPair[] {
  const out: FoundPair[] = [];
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node: doc.contents, path: [] }];
  let seen = 0;
  while (stack.length > 0 && seen++ < MAX_NODES) {
    const item = stack.pop();
    if (item === undefined) break;
    const { node, path } = item;
    if (isMap(node)) {
      const pairs: { node: unknown; path: (string | number)[] }[] = [];
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        const value = pair.value as Node | null;
        const start = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
        const end = value?.range?.[1] ?? start;
        out.push({ key, value, path: [...path, key], span: { start, end } });
        pairs.push({ node: value, path: [...path, key] });
      }
      for (let i = pairs.length - 1; i >= 0; i--) {
        const p = pairs[i];
        if (p !== undefined) stack.push(p);
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--)
        stack.push({ node: node.items[i], path: [...path, i] });
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** The string value of a scalar node, or undefined. */
export function scalarString(node: Node | null): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}
