import { createRequire } from 'node:module';
import { Language, Parser, Query, type Tree } from 'web-tree-sitter';
import { FormatError } from '../../core/errors.js';
import type { SliceRange } from './slice.js';

/**
 * The tree-sitter Python front end: web-tree-sitter's runtime and the tree-sitter-python grammar,
 * both WebAssembly shipped inside their npm packages (nothing is built or downloaded).
 */
export interface PythonParser {
  /**
   * Parses `text` (UTF-16 offsets in the tree). Returns undefined when parsing ran past
   * `budgetMs` (the tree-sitter progress callback cancels it). The caller deletes the tree.
   * With `ranges` (non-empty, ordered), only those parts of the text are parsed; offsets in the
   * tree are still those of the whole text.
   */
  parse(text: string, budgetMs: number, ranges?: readonly SliceRange[]): Tree | undefined;
  /** The query that collects what the code model reads (see model.ts). */
  readonly query: Query;
}

// One runtime and one grammar per process: loading the wasm costs ~30 ms, a parse far less.
let loading: Promise<PythonParser> | undefined;

/** The query's captures: what the code model reads; everything else is reached from these nodes. */
export const PYTHON_MODEL_QUERY = `
(import_statement) @import
(import_from_statement) @from
(assignment) @assign
(augmented_assignment) @augassign
(call) @call
(function_definition) @func
(as_pattern_target) @withalias
`;

/** Loads the parser once (async: WebAssembly compilation); throws FormatError if it cannot. */
export function loadPythonParser(): Promise<PythonParser> {
  loading ??= (async () => {
    try {
      const require = createRequire(import.meta.url);
      await Parser.init();
      const language = await Language.load(
        require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
      );
      const parser = new Parser();
      parser.setLanguage(language);
      const query = new Query(language, PYTHON_MODEL_QUERY);
      return {
        query,
        parse(text: string, budgetMs: number, ranges?: readonly SliceRange[]): Tree | undefined {
          const deadline = performance.now() + budgetMs;
          // The callback returns true to cancel: a pathological input stops at the budget.
          const cancel = (): boolean => performance.now() > deadline;
          const sliced = ranges !== undefined && ranges.length > 0;
          // web-tree-sitter reads a string input through a callback that copies up to 5,119
          // characters from the offset asked for, wherever the included range ends: given the
          // ranges, hand it the text only up to the next range boundary (once parsed, the tree's
          // node texts read the rest as before).
          let parsing = sliced;
          const input = sliced ? chunkReader(text, ranges, () => parsing) : text;
          const tree = parser.parse(input, null, {
            progressCallback: cancel as unknown as (state: unknown) => void,
            // An empty list means the whole text to tree-sitter, as does no list.
            ...(sliced ? { includedRanges: ranges as SliceRange[] } : {}),
          });
          parsing = false;
          // A cancelled parse leaves the parser mid-document: reset it for the next file.
          if (tree === null) parser.reset();
          return tree ?? undefined;
        },
      };
    } catch (error) {
      loading = undefined;
      throw new FormatError(
        'UNSUPPORTED_FEATURE',
        `cannot load the Python grammar: ${error instanceof Error ? error.message : String(error)}`,
        0,
        { cause: error },
      );
    }
  })();
  return loading;
}

/**
 * A tree-sitter read callback over `text` that, while `parsing()`, returns the text from the
 * offset asked for up to the next start or end of `ranges` (never empty before the end), else
 * the whole rest. The ranges are sorted; reads mostly move forward, so a cursor finds the next
 * boundary.
 */
function chunkReader(
  text: string,
  ranges: readonly SliceRange[],
  parsing: () => boolean,
): (index: number) => string {
  let at = 0;
  return (index: number): string => {
    if (!parsing()) return text.slice(index);
    if (at > 0 && index < (ranges[at - 1]?.endIndex ?? 0)) at = 0;
    while (at < ranges.length && (ranges[at]?.endIndex ?? 0) <= index) at++;
    const range = ranges[at];
    if (range === undefined) return text.slice(index);
    return text.slice(index, index < range.startIndex ? range.startIndex : range.endIndex);
  };
}
