import { checkLimit, FormatError } from '../../core/errors.js';
import type { Span } from '../../core/finding.js';

/** A string token of the notebook's JSON: its decoded value and where its quotes are. */
interface JsonStringToken {
  readonly value: string;
  /** Offset of the opening quote in the JSON text. */
  readonly start: number;
  readonly end: number;
}

/** A code cell, with its source pieces (one per JSON string) located in the file. */
export interface NotebookCell {
  /** 0-based index among all cells (the JSON path `cells[index]`). */
  readonly index: number;
  readonly source: string;
  readonly pieces: readonly JsonStringToken[];
}

/** A shell line of a notebook: `!cmd`, `%pip …`, `%conda …`, or a `%%bash` cell's body. */
export interface NotebookShell {
  /** The command text (without `!`/`%`), as a slice of the virtual text. */
  readonly span: Span;
  readonly text: string;
}

/**
 * A notebook read for auditing: the code cells joined into one Python text (so imports and
 * constants of one cell reach the others), with IPython magics blanked out to spaces (offsets
 * are kept) and collected as shell commands.
 */
export interface Notebook {
  readonly cells: readonly NotebookCell[];
  /** Code cells joined with `\n`; magics blanked. */
  readonly python: string;
  readonly shell: readonly NotebookShell[];
  /** Start of each code cell in `python`, parallel to `cells`. */
  readonly cellStarts: readonly number[];
}

const MAX_DEPTH = 64;
const DEPTH_MESSAGE = `JSON nesting deeper than ${MAX_DEPTH}`;

/**
 * Parses an `.ipynb` (nbformat 4 JSON). Throws FormatError BAD_JSON for text that is not JSON,
 * BAD_STRUCTURE when `cells` is missing or a code cell's `source` is neither a string nor a
 * list of strings, LIMIT_EXCEEDED past `maxDepth` nesting.
 */
export function parseNotebook(text: string): Notebook {
  const root = new JsonReader(text).document();
  if (root.kind !== 'object') throw new FormatError('BAD_STRUCTURE', 'not a JSON object', 0);
  const cellsNode = root.entries.get('cells');
  if (cellsNode?.kind !== 'array') {
    throw new FormatError('BAD_STRUCTURE', 'no `cells` list (not nbformat 4)', 0);
  }
  const cells: NotebookCell[] = [];
  cellsNode.items.forEach((cell, index) => {
    if (cell.kind !== 'object') {
      throw new FormatError('BAD_STRUCTURE', `cell ${index + 1} is not an object`, cell.start);
    }
    const type = cell.entries.get('cell_type');
    if (type?.kind !== 'string' || type.token.value !== 'code') return;
    const source = cell.entries.get('source');
    let pieces: JsonStringToken[];
    if (source?.kind === 'string') pieces = [source.token];
    else if (source?.kind === 'array' && source.items.every((s) => s.kind === 'string')) {
      pieces = source.items.map((s) => (s as { token: JsonStringToken }).token);
    } else {
      throw new FormatError(
        'BAD_STRUCTURE',
        `cell ${index + 1}: source is not a string or a list of strings`,
        source?.start ?? cell.start,
      );
    }
    cells.push({ index, source: pieces.map((p) => p.value).join(''), pieces });
  });
  const cellStarts: number[] = [];
  const shell: NotebookShell[] = [];
  let python = '';
  for (const cell of cells) {
    if (python !== '') python += '\n';
    cellStarts.push(python.length);
    python += blankMagics(cell.source, python.length, shell);
  }
  return { cells, python, shell, cellStarts };
}

const SHELL_CELL = /^%%(?:bash|sh|script[ \t]+(?:ba)?sh)\b[^\n]*\n?/;
const NOT_PYTHON_CELL = /^%%(?:writefile|html|javascript|js|latex|markdown|svg|perl|ruby|capture)?/;

/** Replaces magics with spaces (keeping newlines and lengths) and records shell commands. */
function blankMagics(source: string, base: number, shell: NotebookShell[]): string {
  const cellMagic = SHELL_CELL.exec(source);
  if (cellMagic !== null) {
    const bodyStart = cellMagic[0].length;
    shell.push({
      span: { start: base + bodyStart, end: base + source.length },
      text: source.slice(bodyStart),
    });
    return source.replace(/[^\n]/g, ' ');
  }
  if (source.startsWith('%%')) {
    const firstEnd = source.indexOf('\n');
    const first = firstEnd < 0 ? source : source.slice(0, firstEnd);
    // `%%time`, `%%capture` run the rest as Python; `%%writefile` and friends do not.
    const pythonBody = /^%%(?:time|timeit|capture|prun)\b/.test(first);
    if (!pythonBody && NOT_PYTHON_CELL.test(first)) return source.replace(/[^\n]/g, ' ');
    return (
      ' '.repeat(first.length) + blankLines(source.slice(first.length), base + first.length, shell)
    );
  }
  return blankLines(source, base, shell);
}

function blankLines(source: string, base: number, shell: NotebookShell[]): string {
  const lines = source.split('\n');
  let offset = 0;
  const out = lines.map((line) => {
    const lineStart = offset;
    offset += line.length + 1;
    // `!cmd`, `%pip …`, `%conda …`, also `x = !cmd`.
    const m =
      /^([ \t]*(?:[A-Za-z_]\w*[ \t]*=[ \t]*)?)(!|%(?=pip\b|conda\b|sx\b|system\b))(.*)$/.exec(line);
    if (m === null) {
      return /^[ \t]*%/.test(line) ? line.replace(/[^\n]/g, ' ') : line;
    }
    const magicStart = lineStart + (m[1] ?? '').length + (m[2] ?? '').length;
    let command = m[3] ?? '';
    let commandStart = magicStart;
    const sx = /^(?:sx|system)\b[ \t]*/.exec(command);
    if (m[2] === '%' && sx !== null) {
      commandStart += sx[0].length;
      command = command.slice(sx[0].length);
    }
    shell.push({
      span: { start: base + commandStart, end: base + commandStart + command.length },
      text: command,
    });
    return ' '.repeat(line.length);
  });
  return out.join('\n');
}

/**
 * Maps an offset in `python` back to the cell it is in: the cell's index, the 1-based line and
 * column inside the cell, and the offset in the notebook's JSON text.
 */
export function locateInNotebook(
  notebook: Notebook,
  offset: number,
): { cell: number; line: number; column: number; fileOffset: number } {
  let k = 0;
  for (let i = 0; i < notebook.cellStarts.length; i++) {
    if ((notebook.cellStarts[i] ?? 0) <= offset) k = i;
    else break;
  }
  const cell = notebook.cells[k];
  if (cell === undefined) return { cell: 0, line: 1, column: 1, fileOffset: 0 };
  const inCell = Math.min(Math.max(0, offset - (notebook.cellStarts[k] ?? 0)), cell.source.length);
  const before = cell.source.slice(0, inCell);
  const line = before.split('\n').length;
  const column = inCell - (before.lastIndexOf('\n') + 1) + 1;
  // Find the JSON string piece holding the offset, then walk its escapes.
  let consumed = 0;
  let fileOffset = cell.pieces[0]?.start ?? 0;
  for (const piece of cell.pieces) {
    if (inCell <= consumed + piece.value.length || piece === cell.pieces[cell.pieces.length - 1]) {
      fileOffset = rawOffset(notebookText(notebook), piece, inCell - consumed);
      break;
    }
    consumed += piece.value.length;
  }
  return { cell: cell.index, line, column, fileOffset };
}

// The JSON text each notebook came from (for mapping offsets back); kept beside the object.
const TEXTS = new WeakMap<Notebook, string>();
function notebookText(notebook: Notebook): string {
  return TEXTS.get(notebook) ?? '';
}

/** Offset in the JSON text of decoded character `index` of a string token. */
function rawOffset(text: string, token: JsonStringToken, index: number): number {
  let raw = token.start + 1;
  let decoded = 0;
  while (decoded < index && raw < token.end - 1) {
    if (text.charCodeAt(raw) === 92) raw += text.charAt(raw + 1) === 'u' ? 6 : 2;
    else raw++;
    decoded++;
  }
  return raw;
}

/** Parses a notebook and remembers its text for {@link locateInNotebook}. */
export function readNotebook(text: string): Notebook {
  const notebook = parseNotebook(text);
  TEXTS.set(notebook, text);
  return notebook;
}

type JsonNode =
  | { kind: 'object'; start: number; entries: Map<string, JsonNode> }
  | { kind: 'array'; start: number; items: JsonNode[] }
  | { kind: 'string'; start: number; token: JsonStringToken }
  | { kind: 'other'; start: number };

/** A small JSON reader that keeps string offsets (JSON.parse does not give them). */
class JsonReader {
  private at = 0;
  constructor(private readonly text: string) {}

  document(): JsonNode {
    const node = this.value(0);
    this.space();
    if (this.at !== this.text.length) this.fail('trailing text after the JSON value');
    return node;
  }

  private fail(message: string): never {
    throw new FormatError('BAD_JSON', message, this.at);
  }

  private space(): void {
    while (this.at < this.text.length) {
      const c = this.text.charCodeAt(this.at);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) this.at++;
      else break;
    }
  }

  private value(depth: number): JsonNode {
    checkLimit(depth, MAX_DEPTH, 'JSON depth', this.at, DEPTH_MESSAGE);
    this.space();
    const start = this.at;
    const c = this.text.charAt(this.at);
    if (c === '{') {
      this.at++;
      const entries = new Map<string, JsonNode>();
      this.space();
      if (this.text.charAt(this.at) === '}') {
        this.at++;
        return { kind: 'object', start, entries };
      }
      for (;;) {
        this.space();
        if (this.text.charAt(this.at) !== '"') this.fail('expected a key');
        const key = this.string().value;
        this.space();
        if (this.text.charAt(this.at) !== ':') this.fail('expected `:`');
        this.at++;
        entries.set(key, this.value(depth + 1));
        this.space();
        const d = this.text.charAt(this.at++);
        if (d === '}') return { kind: 'object', start, entries };
        if (d !== ',') this.fail('expected `,` or `}`');
      }
    }
    if (c === '[') {
      this.at++;
      const items: JsonNode[] = [];
      this.space();
      if (this.text.charAt(this.at) === ']') {
        this.at++;
        return { kind: 'array', start, items };
      }
      for (;;) {
        items.push(this.value(depth + 1));
        this.space();
        const d = this.text.charAt(this.at++);
        if (d === ']') return { kind: 'array', start, items };
        if (d !== ',') this.fail('expected `,` or `]`');
      }
    }
    if (c === '"') return { kind: 'string', start, token: this.string() };
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(
      this.text.slice(this.at, this.at + 64),
    );
    if (m === null) this.fail('expected a JSON value');
    this.at += m[0].length;
    return { kind: 'other', start };
  }

  private string(): JsonStringToken {
    const start = this.at;
    // Find the closing quote (skipping escapes), then let JSON.parse decode the token.
    let i = this.at + 1;
    const n = this.text.length;
    while (i < n) {
      const c = this.text.charCodeAt(i);
      if (c === 34) break;
      if (c === 92) i += 2;
      else if (c < 32) this.fail('control character in a string');
      else i++;
    }
    if (i >= n) this.fail('unterminated string');
    this.at = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(this.text.slice(start, i + 1));
    } catch {
      this.at = start;
      this.fail('bad string escape');
    }
    return { value: value as string, start, end: i + 1 };
  }
}
