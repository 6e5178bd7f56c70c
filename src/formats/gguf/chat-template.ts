import * as jinja from '@huggingface/jinja';
import { FormatError, checkLimit } from '../../core/errors.js';

// The package's .d.ts files import './lexer' without an extension, which NodeNext cannot resolve;
// this states the two functions' shapes (lexer.d.ts / parser.d.ts) so calls stay type-checked.
const { tokenize, parse } = jinja as unknown as {
  tokenize: (source: string) => unknown[];
  parse: (tokens: unknown[]) => unknown;
};

/** A node of the @huggingface/jinja AST, seen structurally (the library's classes are not needed). */
export interface TemplateNode {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * Parses a Jinja chat template into its AST with @huggingface/jinja's lexer and parser. The
 * template is never rendered. Throws FormatError: LIMIT_EXCEEDED when it is longer than
 * `maxChars` UTF-16 units, BAD_STRUCTURE when it does not parse (offset 0: the parser reports no
 * positions).
 */
export function parseChatTemplate(text: string, maxChars: number): TemplateNode {
  checkLimit(text.length, maxChars, 'chat template length', 0);
  try {
    return parse(tokenize(text)) as TemplateNode;
  } catch (error) {
    // SyntaxError for bad templates; RangeError if a nesting bomb exhausts the parser's stack.
    throw new FormatError(
      'BAD_STRUCTURE',
      error instanceof Error ? error.message : 'unparsable template',
      0,
      {
        cause: error,
      },
    );
  }
}

/**
 * Visits every AST node of `root` depth-first with an explicit stack (no recursion), at most
 * `maxNodes` of them; returns false when it stopped at that bound.
 */
export function walkTemplate(
  root: TemplateNode,
  maxNodes: number,
  visit: (node: TemplateNode) => void,
): boolean {
  const stack: unknown[] = [root];
  let seen = 0;
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
      continue;
    }
    if (value instanceof Map) {
      for (const [k, v] of value) stack.push(k, v);
      continue;
    }
    if (!isNode(value)) continue;
    if (++seen > maxNodes) return false;
    visit(value);
    // Pushed in reverse so that children are visited in source order.
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] ?? ['type', undefined];
      if (key !== 'type' && typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return true;
}

function isNode(value: unknown): value is TemplateNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}
