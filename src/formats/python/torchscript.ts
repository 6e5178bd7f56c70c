import type { Node } from 'web-tree-sitter';
import type { Span } from '../../core/finding.js';
import { buildPythonModel } from './model.js';
import type { PythonParser } from './parser.js';

/** One call in a TorchScript code file. */
export interface TorchScriptCall {
  /**
   * The callee's dotted name with import aliases resolved (`subprocess.run` for `go` after
   * `from subprocess import run as go`); undefined when the callee is not a dotted name.
   */
  readonly name: string | undefined;
  /** The callee expression (UTF-16 offsets into the code text). */
  readonly span: Span;
}

/** One `import` or `from … import` statement of a TorchScript code file. */
export interface TorchScriptImport {
  /** The imported module as written (`os`, `torch.nn`, `__torch__.foo`). */
  readonly module: string;
  readonly span: Span;
}

/**
 * A `code/…py` record of a TorchScript archive as the torchscript rules read it. torch.jit.save
 * writes its modules' compiled code there as Python syntax (TorchScript's printer), and
 * torch.jit.load compiles that text again.
 */
export interface TorchScriptCode {
  /** The member name inside the archive (`archive/code/__torch__.py`). */
  readonly member: string;
  readonly text: string;
  /** Every call, in source order. */
  readonly calls: readonly TorchScriptCall[];
  readonly imports: readonly TorchScriptImport[];
  /**
   * Each name used as a value (not an attribute after a dot, not a keyword argument's name), at
   * its first use: `eval` in `f = eval`, `os` in `os.system`.
   */
  readonly names: ReadonlyMap<string, Span>;
  /** The first syntax error tree-sitter recovered from, if any. */
  readonly syntaxError?: Span;
}

/**
 * Reads one TorchScript code file with the Python front end. Returns undefined when parsing ran
 * past `budgetMs`. Never throws for any text.
 */
export function readTorchScriptCode(
  member: string,
  text: string,
  parser: PythonParser,
  budgetMs: number,
): TorchScriptCode | undefined {
  const tree = parser.parse(text, budgetMs);
  if (tree === undefined) return undefined;
  try {
    const captures = parser.query.captures(tree.rootNode);
    const model = buildPythonModel(tree, text, captures);
    const calls = model.calls.map((c) => ({ name: c.name, span: c.calleeSpan }));
    const imports: TorchScriptImport[] = [];
    for (const { name, node } of captures) {
      if (name === 'from') {
        const module = node.childForFieldName('module_name');
        if (module !== null) {
          imports.push({
            module: module.text,
            span: { start: node.startIndex, end: node.endIndex },
          });
        }
      } else if (name === 'import') {
        for (const child of node.childrenForFieldName('name')) {
          const target = child.type === 'aliased_import' ? child.childForFieldName('name') : child;
          if (target === null) continue;
          imports.push({
            module: target.text,
            span: { start: node.startIndex, end: node.endIndex },
          });
        }
      }
    }
    return {
      member,
      text,
      calls,
      imports,
      names: namesOf(tree.rootNode, text),
      ...(model.syntaxError === undefined ? {} : { syntaxError: model.syntaxError }),
    };
  } finally {
    tree.delete();
  }
}

/** Nodes visited by the name walk (a code file is bounded by maxTextBytes anyway). */
const MAX_NAME_NODES = 4_000_000;

/** Identifiers used as values, first use each (iterative cursor walk: trees can be deep). */
function namesOf(root: Node, text: string): Map<string, Span> {
  const names = new Map<string, Span>();
  const cursor = root.walk();
  try {
    let visited = 0;
    for (;;) {
      if (++visited > MAX_NAME_NODES) break;
      if (cursor.nodeType === 'identifier') {
        const field = cursor.currentFieldName;
        // `x.os` names an attribute and `f(os=1)` a keyword: neither uses the name `os`.
        if (field !== 'attribute' && !(field === 'name' && isKeywordName(cursor.currentNode))) {
          const start = cursor.startIndex;
          const end = cursor.endIndex;
          const name = text.slice(start, end);
          if (!names.has(name)) names.set(name, { start, end });
        }
      }
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return names;
      }
    }
    return names;
  } finally {
    cursor.delete();
  }
}

function isKeywordName(node: Node): boolean {
  return node.parent?.type === 'keyword_argument';
}
