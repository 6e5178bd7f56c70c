import { itemAt } from '../../core/item-at.js';
import { identText } from './model.js';

/**
 * A part of a Python text to parse: whole lines, in UTF-16 offsets (web-tree-sitter's `Range`
 * shape, which its `includedRanges` parse option takes; the tree's offsets stay those of the
 * whole text).
 */
export interface SliceRange {
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { readonly row: number; readonly column: number };
  readonly endPosition: { readonly row: number; readonly column: number };
}

/** One logical line: a statement's line with its bracketed and backslash continuations. */
interface Line {
  readonly start: number;
  /** After the line's newline (or the end of the text). */
  readonly end: number;
  readonly row: number;
  readonly endRow: number;
  readonly endColumn: number;
  readonly indent: number;
  /** The line's first name token ('def', 'import', 'elif' ...), '@' for a decorator, else ''. */
  readonly head: string;
  /**
   * Identifiers of the code and of f-strings (NFKC, as Python reads them); plain strings and
   * comments are left out (they can name no call, keyword or variable).
   */
  readonly words: readonly string[];
  /** For a `def` line: the function's name as the code model scopes it. */
  readonly defName?: string;
  /** Position of the last `=` of an assignment at bracket depth 0, or -1. */
  readonly assign: number;
  /** Length of the assignment operator at `assign` (1 for `=`, 2 or 3 for `+=`, `//=` ...). */
  readonly assignLength: number;
}

/** A statement: its logical lines [first, last], and for a def or class its body. */
interface Statement {
  readonly first: number;
  readonly last: number;
  /** The `def`/`class` line (after its decorators); equal to `first` for other statements. */
  readonly header: number;
  /** Body statements of a def or class with an indented body (they can be kept one by one). */
  readonly body?: readonly Statement[];
}

/** A name a statement binds, as the code model reads bindings. */
interface Binding {
  readonly name: string;
  /** The scope of a constant or taint (a function's name, or '<module>'); undefined: global. */
  readonly scope: string | undefined;
  /** For an import or alias: the words it names, so the bound name is an alias of a trigger. */
  readonly from?: readonly string[];
}

class Unsliceable extends Error {}

const CLAUSES = new Set(['elif', 'else', 'except', 'finally']);
const IDENT = /[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/g;
const RUN = /[A-Za-z0-9_]+/g;
// `x = a.b`: the code model's alias assignment (the right side a plain dotted name).
const ALIAS_VALUE =
  /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*(?:\.[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)*$/;
const LITERAL_NAMES = new Set(['True', 'False', 'None']);
// eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The parts of a Python text that the code rules need parsed, or undefined when the whole text
 * should be parsed. `triggers` are the identifiers whose presence can make a rule report (the
 * last parts of the audited call names, the audited keywords): kept are the statements holding
 * one, or an alias of one, and every statement binding a name those statements read, in the
 * scope the code model resolves it (imports and `x = mod.attr` aliases file-wide, constants and
 * received data per function name and at module level), repeated until nothing is added. A
 * `def` or `class` is kept as its header and the body statements kept; any other compound
 * statement (if, for, with, try, ...) whole. So the parse of the kept lines gives the same calls,
 * aliases, constants and taint for every audited call as the parse of the whole text.
 *
 * Undefined (parse everything) when the text's layout is not plain enough to cut with certainty
 * (a tab or form feed in indentation, a lone carriage return, an unterminated string or bracket,
 * inconsistent indentation) or when more than `maxShare` of it would be kept.
 */
export function slicePython(
  text: string,
  triggers: ReadonlySet<string>,
  maxShare = 0.6,
): SliceRange[] | undefined {
  let lines: Line[];
  let statements: Statement[];
  const scopes: string[] = [];
  try {
    lines = logicalLines(text);
    statements = [];
    let at = 0;
    while (at < lines.length) {
      const r = readStatement(lines, at, 0, '<module>', scopes);
      statements.push(r.statement);
      at = r.next;
    }
  } catch (error) {
    if (error instanceof Unsliceable) return undefined;
    throw error;
  }
  // Bindings are read only of lines that can matter (they are much of the slicer's cost).
  const bindings: (Binding[] | undefined)[] = [];
  const bindingsAt = (i: number): Binding[] =>
    (bindings[i] ??= bindingsOf(text, itemAt(lines, i), scopes[i] ?? '<module>'));

  // Aliases of audited names are triggers too: `from pickle import loads as L`, `L2 = L`. Only a
  // line holding a trigger can bind an alias of one.
  const trigger = new Set(triggers);
  for (let grew = true; grew;) {
    grew = false;
    for (let i = 0; i < lines.length; i++) {
      const line = itemAt(lines, i);
      if (line.assign < 0 && !line.words.includes('import')) continue;
      if (!line.words.some((w) => trigger.has(w))) continue;
      for (const b of bindingsAt(i)) {
        if (b.from === undefined || trigger.has(b.name)) continue;
        if (b.from.some((w) => trigger.has(w))) {
          trigger.add(b.name);
          grew = true;
        }
      }
    }
  }
  const triggered = new Uint8Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    if (itemAt(lines, i).words.some((w) => trigger.has(w))) triggered[i] = 1;
  }

  const kept = new Uint8Array(lines.length);
  const usedAnywhere = new Set<string>();
  const usedIn = new Map<string, Set<string>>();
  const use = (i: number): void => {
    const scope = scopes[i] ?? '<module>';
    let set = usedIn.get(scope);
    if (set === undefined) {
      set = new Set();
      usedIn.set(scope, set);
    }
    for (const w of itemAt(lines, i).words) {
      usedAnywhere.add(w);
      set.add(w);
    }
  };
  const needed = (i: number): boolean => {
    if (triggered[i] === 1) return true;
    // Every name a line binds is one of its words: a line none of whose words is read binds
    // nothing the kept lines read.
    if (!itemAt(lines, i).words.some((w) => usedAnywhere.has(w))) return false;
    for (const b of bindingsAt(i)) {
      if (b.scope === undefined || b.scope === '<module>') {
        if (usedAnywhere.has(b.name)) return true;
      } else if (usedIn.get(b.scope)?.has(b.name) === true) return true;
    }
    return false;
  };
  let added = 0;
  const keep = (first: number, last: number): void => {
    for (let i = first; i <= last; i++) {
      if (kept[i] === 0) {
        kept[i] = 1;
        added++;
        use(i);
      }
    }
  };
  const needs = (from: number, to: number): boolean => {
    for (let i = from; i <= to; i++) if (needed(i)) return true;
    return false;
  };
  const visit = (s: Statement): boolean => {
    if (s.body !== undefined && !needs(s.first, s.header)) {
      // A def or class: its header with the body statements kept, if any is.
      let any = false;
      for (const child of s.body) if (visit(child)) any = true;
      if (any) keep(s.first, s.header);
      return any;
    }
    if (kept[s.first] === 1 && kept[s.last] === 1) return true;
    if (!needs(s.first, s.last)) return false;
    keep(s.first, s.last);
    return true;
  };
  do {
    added = 0;
    for (const s of statements) visit(s);
  } while (added > 0);

  const ranges: SliceRange[] = [];
  let keptChars = 0;
  for (let i = 0; i < lines.length; i++) {
    if (kept[i] === 0) continue;
    let j = i;
    while (j + 1 < lines.length && kept[j + 1] === 1) j++;
    const a = itemAt(lines, i);
    const b = itemAt(lines, j);
    ranges.push({
      startIndex: a.start,
      endIndex: b.end,
      startPosition: { row: a.row, column: 0 },
      endPosition: { row: b.endRow, column: b.endColumn },
    });
    keptChars += b.end - a.start;
    i = j;
  }
  if (keptChars > text.length * maxShare) return undefined;
  return ranges;
}

/** Splits a text into logical lines; throws Unsliceable where the layout is not plain. */
function logicalLines(text: string): Line[] {
  const n = text.length;
  const lines: Line[] = [];
  let i = 0;
  let row = 0;
  while (i < n) {
    let j = i;
    while (j < n && text.charCodeAt(j) === 32) j++;
    if (j >= n) break;
    let c = text.charCodeAt(j);
    if (c === 9 || c === 12) throw new Unsliceable();
    if (c === 10 || c === 13 || c === 35 /* # */) {
      // A blank or comment-only line: not a statement.
      while (j < n && text.charCodeAt(j) !== 10) {
        if (text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) !== 10) throw new Unsliceable();
        j++;
      }
      i = j + 1;
      row++;
      continue;
    }
    const start = i;
    const startRow = row;
    const indent = j - i;
    let depth = 0;
    let segment = j;
    let assign = -1;
    let assignLength = 0;
    const words: string[] = [];
    const code = (from: number, to: number): void => {
      if (to > from) addWords(text.slice(from, to), words);
    };
    let k = j;
    let end = -1;
    while (k < n) {
      c = text.charCodeAt(k);
      if (c === 35 /* # */) {
        code(segment, k);
        while (k < n && text.charCodeAt(k) !== 10 && text.charCodeAt(k) !== 13) k++;
        segment = k;
        continue;
      }
      if (c === 92 /* \ */) {
        const next = text.charCodeAt(k + 1);
        if (next === 10) {
          k += 2;
          row++;
          continue;
        }
        if (next === 13 && text.charCodeAt(k + 2) === 10) {
          k += 3;
          row++;
          continue;
        }
        k++;
        continue;
      }
      if (c === 13) {
        if (text.charCodeAt(k + 1) !== 10) throw new Unsliceable();
        k++;
        continue;
      }
      if (c === 10) {
        row++;
        k++;
        if (depth === 0) {
          end = k;
          break;
        }
        continue;
      }
      if (c === 34 || c === 39 /* " ' */) {
        let p = k;
        while (p > segment && p > k - 2 && /[rRbBuUfF]/.test(text.charAt(p - 1))) p--;
        const prefix = text.slice(p, k);
        const before = p > 0 ? text.charAt(p - 1) : ' ';
        const isPrefix = prefix === '' || !/[\w\u0080-\uffff]/.test(before);
        const fString = isPrefix && /[fF]/.test(prefix);
        code(segment, isPrefix ? p : k);
        const scanned = scanString(text, k, fString);
        row += scanned.rows;
        if (fString) addWords(text.slice(k, scanned.end), words);
        k = scanned.end;
        segment = k;
        continue;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) {
        depth--;
        if (depth < 0) throw new Unsliceable();
      } else if (c === 61 /* = */ && depth === 0) {
        const prev = text.charCodeAt(k - 1);
        const next = text.charCodeAt(k + 1);
        if (next === 61) {
          k += 2; // ==
          continue;
        }
        // Not a comparison (<=, >=, !=) nor a walrus (:=).
        if (prev !== 60 && prev !== 62 && prev !== 33 && prev !== 58) {
          let length = 1;
          // Augmented assignment: +=, -=, *=, /=, %=, &=, |=, ^=, @=, //=, **=, <<=, >>=.
          if ('+-*/%&|^@'.includes(String.fromCharCode(prev))) {
            length = 2;
            const prev2 = text.charCodeAt(k - 2);
            if ((prev === 47 && prev2 === 47) || (prev === 42 && prev2 === 42)) length = 3;
          }
          assign = k - length + 1;
          assignLength = length;
        } else if (prev === 60 || prev === 62) {
          // <<= and >>= are assignments; <= and >= are not.
          if (text.charCodeAt(k - 2) === prev) {
            assign = k - 2;
            assignLength = 3;
          }
        }
      }
      k++;
    }
    if (end < 0) {
      if (depth > 0) throw new Unsliceable();
      end = n;
    }
    code(segment, Math.min(k, n));
    const lastNewline = text.lastIndexOf('\n', end - 1);
    const endsWithNewline = end > 0 && text.charCodeAt(end - 1) === 10;
    const headMatch = /^(?:@|[A-Za-z_]\w*)/.exec(text.slice(j, j + 16));
    const head = headMatch === null ? '' : headMatch[0];
    const defName =
      head === 'def' || head === 'async'
        ? /^(?:async[\s\\]+)?def[\s\\]+([^\s(:\\]+)/.exec(text.slice(j, end))?.[1]
        : undefined;
    lines.push({
      start,
      end,
      row: startRow,
      endRow: row,
      endColumn: endsWithNewline ? 0 : end - (lastNewline + 1),
      indent,
      head,
      ...(defName === undefined ? {} : { defName: identText(defName) }),
      words,
      assign,
      assignLength,
    });
    i = end;
  }
  return lines;
}

function addWords(segment: string, words: string[]): void {
  if (NON_ASCII.test(segment)) {
    const normal = identText(segment);
    for (const w of normal.match(IDENT) ?? []) words.push(w);
    segment = normal;
  }
  for (const run of segment.match(RUN) ?? []) {
    const c = run.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      // `1load` lexes as a number then a name: every name-like suffix may be a token.
      for (let s = 1; s < run.length; s++) {
        if (/[A-Za-z_]/.test(run.charAt(s))) words.push(run.slice(s));
      }
    } else words.push(run);
  }
}

/** Skips a string literal starting at its quote; returns the offset after it. */
function scanString(text: string, at: number, fString: boolean): { end: number; rows: number } {
  const n = text.length;
  const quote = text.charCodeAt(at);
  const triple = text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote;
  let k = at + (triple ? 3 : 1);
  let rows = 0;
  while (k < n) {
    const c = text.charCodeAt(k);
    if (c === 92 /* \ */) {
      if (text.charCodeAt(k + 1) === 10) rows++;
      else if (text.charCodeAt(k + 1) === 13 && text.charCodeAt(k + 2) === 10) {
        rows++;
        k++;
      }
      k += 2;
      continue;
    }
    if (c === 10 || c === 13) {
      if (!triple) throw new Unsliceable();
      if (c === 13 && text.charCodeAt(k + 1) !== 10) throw new Unsliceable();
      if (c === 10) rows++;
      k++;
      continue;
    }
    if (c === quote) {
      if (!triple) return { end: k + 1, rows };
      if (text.charCodeAt(k + 1) === quote && text.charCodeAt(k + 2) === quote) {
        return { end: k + 3, rows };
      }
      k++;
      continue;
    }
    if (fString && c === 123 /* { */) {
      if (text.charCodeAt(k + 1) === 123) {
        k += 2;
        continue;
      }
      // A replacement field: code, which may hold strings with the same quote (Python 3.12).
      let depth = 0;
      k++;
      while (k < n) {
        const d = text.charCodeAt(k);
        if (d === 34 || d === 39) {
          let p = k;
          while (/[rRbBuUfF]/.test(text.charAt(p - 1)) && p > k - 2) p--;
          const inner = scanString(text, k, /[fF]/.test(text.slice(p, k)));
          rows += inner.rows;
          k = inner.end;
          continue;
        }
        if (d === 10) rows++;
        if (d === 40 || d === 91 || d === 123) depth++;
        else if (d === 41 || d === 93 || d === 125) {
          if (depth === 0) {
            if (d !== 125) throw new Unsliceable();
            break;
          }
          depth--;
        }
        k++;
      }
      k++;
      continue;
    }
    k++;
  }
  throw new Unsliceable();
}

/** Reads the statement starting at line `at` (indentation `indent`), with its body and clauses. */
function readStatement(
  lines: readonly Line[],
  at: number,
  indent: number,
  scope: string,
  scopes: string[],
): { statement: Statement; next: number } {
  const first = at;
  let i = at;
  const line = (k: number): Line => itemAt(lines, k);
  if (line(i).indent !== indent || CLAUSES.has(line(i).head)) throw new Unsliceable();
  while (i < lines.length && line(i).head === '@') {
    scopes[i] = scope;
    i++;
    if (i >= lines.length || line(i).indent !== indent) throw new Unsliceable();
  }
  const header = i;
  const head = line(header).head;
  const isDef = head === 'def' || (head === 'async' && line(header).words[1] === 'def');
  const isClass = head === 'class';
  // The code model scopes a def's own line (parameters, defaults) to the def, as its node spans it.
  let inner = scope;
  if (isDef) {
    inner = line(header).defName ?? '?';
  }
  scopes[header] = isDef ? inner : scope;
  i++;
  const readBlock = (bodyScope: string): Statement[] => {
    const body: Statement[] = [];
    if (i >= lines.length || line(i).indent <= indent) return body;
    const bodyIndent = line(i).indent;
    while (i < lines.length && line(i).indent > indent) {
      if (line(i).indent !== bodyIndent) throw new Unsliceable();
      const r = readStatement(lines, i, bodyIndent, bodyScope, scopes);
      body.push(r.statement);
      i = r.next;
    }
    return body;
  };
  const body = readBlock(isDef ? inner : scope);
  if ((isDef || isClass) && body.length > 0) {
    return { statement: { first, last: i - 1, header, body }, next: i };
  }
  while (i < lines.length && line(i).indent === indent && CLAUSES.has(line(i).head)) {
    scopes[i] = scope;
    i++;
    readBlock(scope);
  }
  return { statement: { first, last: i - 1, header }, next: i };
}

/**
 * The names a logical line binds the way the code model reads bindings: imports (file-wide),
 * `name = dotted.name` (file-wide: an alias when its head is imported), assignments and
 * augmented assignments to plain names (constants and taint of the line's scope), `as` targets.
 * It errs towards more bindings.
 */
function bindingsOf(text: string, line: Line, scope: string): Binding[] {
  const out: Binding[] = [];
  const words = line.words;
  if (words.includes('import')) {
    const body = stripComment(text.slice(line.start, line.end));
    const items = importItems(body, line.head);
    if (items === undefined) {
      // Not a plain import line: every name on it may be bound file-wide.
      for (const w of words) out.push({ name: w, scope: undefined, from: words });
    } else {
      for (const item of items) out.push({ name: item.name, scope: undefined, from: item.words });
    }
    return out;
  }
  if (words.includes('as')) {
    const body = identText(text.slice(line.start, line.end));
    for (const m of body.matchAll(/\bas\s+([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)/g)) {
      out.push({ name: m[1] ?? '', scope });
    }
  }
  if (line.assign < 0) return out;
  const left = text.slice(line.start, line.assign);
  const right = text.slice(line.assign + line.assignLength, line.end);
  const value = stripComment(right).replace(/[\s\\]+/g, '');
  const alias = line.assignLength === 1 && ALIAS_VALUE.test(value) && !LITERAL_NAMES.has(value);
  // Chained `a = b = v` and tuple targets: every plain name among the targets.
  for (const part of splitTargets(left)) {
    const name = targetName(part);
    if (name === undefined) continue;
    const local = identText(name);
    out.push({ name: local, scope });
    if (alias) out.push({ name: local, scope: undefined, from: words });
  }
  return out;
}

/**
 * The names a plain `import a.b as c, d` or `from m import (x as y, z)` line binds, each with the
 * words of its item; undefined for any other line holding the word `import`.
 */
function importItems(body: string, head: string): { name: string; words: string[] }[] | undefined {
  const text = identText(body).replace(/\\\r?\n/g, ' ');
  if (text.includes(';')) return undefined;
  const tokens = text.match(/[\w.\u0080-\uffff]+|[^\s\w.\u0080-\uffff]/g) ?? [];
  let k = 0;
  if (head === 'from') {
    if (tokens[0] !== 'from' || tokens[2] !== 'import') return undefined;
    k = 3;
  } else if (head === 'import' && tokens[0] === 'import') {
    k = 1;
  } else return undefined;
  const out: { name: string; words: string[] }[] = [];
  const paren = head === 'from' && tokens[k] === '(';
  if (paren) k++;
  if (head === 'from' && tokens[k] === '*') return out;
  const dotted = /^[\w\u0080-\uffff]+(?:\.[\w\u0080-\uffff]+)*$/;
  while (k < tokens.length) {
    const name = tokens[k] ?? '';
    if (paren && name === ')') break;
    if (!dotted.test(name)) return undefined;
    k++;
    let bound = head === 'import' ? (name.split('.')[0] ?? name) : name;
    const words: string[] = [];
    addWords(name, words);
    if (tokens[k] === 'as') {
      const alias = tokens[k + 1] ?? '';
      if (!dotted.test(alias) || alias.includes('.')) return undefined;
      bound = alias;
      words.push(alias);
      k += 2;
    }
    out.push({ name: bound, words });
    if (tokens[k] === ',') k++;
    else if (k < tokens.length && !(paren && tokens[k] === ')')) return undefined;
  }
  return out;
}

/** The plain name an assignment target part is (`x`, `(x`, `*rest`, `x: int`), if any. */
function targetName(part: string): string | undefined {
  let k = 0;
  while (k < part.length && ' \t\n([*\\'.includes(part.charAt(k))) k++;
  const m = /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/.exec(part.slice(k));
  if (m === null) return undefined;
  let rest = k + m[0].length;
  while (rest < part.length && ' \t\n)]\\'.includes(part.charAt(rest))) rest++;
  return rest === part.length || part.charAt(rest) === ':' ? m[0] : undefined;
}

function stripComment(text: string): string {
  const hash = text.indexOf('#');
  return hash < 0 ? text : text.slice(0, hash);
}

/** Splits assignment targets at `=` and `,` outside brackets and strings (roughly). */
function splitTargets(left: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let k = 0; k < left.length; k++) {
    const c = left.charCodeAt(k);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if ((c === 44 || c === 61) && depth <= 1) {
      const prev = left.charCodeAt(k - 1);
      const next = left.charCodeAt(k + 1);
      if (c === 61 && (next === 61 || prev === 61 || prev === 33 || prev === 60 || prev === 62)) {
        continue;
      }
      parts.push(left.slice(from, k));
      from = k + 1;
    }
  }
  parts.push(left.slice(from));
  return parts;
}
