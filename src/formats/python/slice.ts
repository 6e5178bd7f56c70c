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

/** A name a statement binds, as the code model reads bindings (names are local word ids). */
interface Binding {
  readonly name: number;
  /** The scope of a constant or taint (a scope index, 0 for '<module>'); -1: global. */
  readonly scope: number;
  /** For an import or alias: the words it names, so the bound name is an alias of a trigger. */
  readonly from?: ArrayLike<number>;
}

// The slicer is on the audit's hot path (every Python file that names an audited call), so its
// scan works on char codes and integer word ids: no string per character or per word, no
// object per line. Layout of one logical line in `info` (Int32Array, STRIDE slots per line):
const START = 0; // first offset of the line (its indentation included)
const END = 1; // after the line's newline (or the end of the text)
const ROW = 2;
const END_ROW = 3;
const END_COLUMN = 4;
const INDENT = 5;
const HEAD = 6; // the line's first token, as a HEAD_* code
const ASSIGN = 7; // position of the last `=` of an assignment at bracket depth 0, or -1
const ASSIGN_LENGTH = 8; // 1 for `=`, 2 or 3 for `+=`, `//=` ...
const WORDS_START = 9; // the line's words: wordIds[WORDS_START .. WORDS_END)
const WORDS_END = 10;
const LAST = 11; // for a statement's first line: its last line
const HEADER = 12; // for a statement's first line: its def/class line (after decorators)
const BODY = 13; // for a statement's first line: 1 when a def or class with an indented body
const SCOPE = 14; // scope index (0: '<module>')
const STRIDE = 16;

const HEAD_OTHER = 0;
const HEAD_AT = 1;
const HEAD_DEF = 2;
const HEAD_ASYNC = 3;
const HEAD_CLASS = 4;
const HEAD_FROM = 5;
const HEAD_IMPORT = 6;
const HEAD_CLAUSE = 7; // elif, else, except, finally

/** Thrown (one preallocated value: no stack trace per throw) where the layout is not plain. */
class Unsliceable extends Error {}
const UNSLICEABLE = new Unsliceable('not sliceable');

// CPython refuses more indentation levels than this (its tokenizer's MAXINDENT): a deeper file
// cannot run, and reading it statement by statement would recurse once per level.
const MAX_BLOCK_DEPTH = 100;
// More logical lines than this: parse the whole text (the per-line table stays under 16 MiB).
const MAX_LINES = 1 << 18;
// Names (and their characters) kept interned between files; past either the table starts
// afresh, so memory stays bounded whatever the files hold.
const MAX_KEPT_NAMES = 1 << 16;
const MAX_KEPT_CHARS = 1 << 22;
// Buffers grown past these sizes by one large file are dropped after it.
const KEPT_LINES = 1 << 14;
const KEPT_WORDS = 1 << 17;

const IDENT = /[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*/g;
const RUN = /[A-Za-z0-9_]+/g;
// `x = a.b`: the code model's alias assignment (the right side a plain dotted name).
const ALIAS_VALUE =
  /^[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*(?:\.[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)*$/;
const LITERAL_NAMES = new Set(['True', 'False', 'None']);
// eslint-disable-next-line no-control-regex -- the whole ASCII range, controls included
const NON_ASCII = /[^\x00-\x7f]/;

// ASCII classes by char code: 1 for [A-Za-z0-9_] (a name run), 2 for [A-Za-z_] (a name start),
// 4 for a string prefix letter [rRbBuUfF], 8 for an augmented-assignment operator [+-*/%&|^@].
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/\w/.test(ch)) CLASS[c] = (CLASS[c] ?? 0) | 1;
  if (/[A-Za-z_]/.test(ch)) CLASS[c] = (CLASS[c] ?? 0) | 2;
  if (/[rRbBuUfF]/.test(ch)) CLASS[c] = (CLASS[c] ?? 0) | 4;
  if ('+-*/%&|^@'.includes(ch)) CLASS[c] = (CLASS[c] ?? 0) | 8;
}
const isRun = (c: number): boolean => c < 128 && ((CLASS[c] ?? 0) & 1) !== 0;
const isNameStart = (c: number): boolean => c < 128 && ((CLASS[c] ?? 0) & 2) !== 0;
const isPrefixChar = (c: number): boolean => c < 128 && ((CLASS[c] ?? 0) & 4) !== 0;
const isAugOperator = (c: number): boolean => c < 128 && ((CLASS[c] ?? 0) & 8) !== 0;
/** `[\w\u0080-\uffff]` of one UTF-16 code unit. */
const isWordOrWide = (c: number): boolean => c >= 128 || isRun(c);

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * Names interned to integers, kept between files (source files share most of their names):
 * `global` ids index `names`; each call of slicePython numbers the names it meets from 0
 * (`local` ids, valid while `stamp` holds the call's generation) so its sets are small arrays.
 */
class Interner {
  names: string[] = [];
  private hashes = new Int32Array(1024);
  private table = new Int32Array(4096); // slot -> global id + 1; 0 is empty
  private stamp = new Int32Array(1024);
  private local = new Int32Array(1024);
  private generation = 0;
  private chars = 0;
  /** Local ids handed out in this call. */
  localCount = 0;

  /** Starts a call: local ids from 0 (and a fresh table when it has grown past its bound). */
  begin(): void {
    if (this.tooLarge() || this.generation >= 0x3fffffff) this.reset();
    this.generation++;
    this.localCount = 0;
  }

  /** Drops the names of a large file (called after the file). */
  trim(): void {
    if (this.tooLarge()) this.reset();
  }

  private tooLarge(): boolean {
    return this.names.length > MAX_KEPT_NAMES || this.chars > MAX_KEPT_CHARS;
  }

  private reset(): void {
    this.names = [];
    this.hashes = new Int32Array(1024);
    this.table = new Int32Array(4096);
    this.stamp = new Int32Array(1024);
    this.local = new Int32Array(1024);
    this.generation = 0;
    this.chars = 0;
  }

  /** The local id of `text[start, end)` (hash `h`), interning it if new. */
  idOf(text: string, start: number, end: number, h: number): number {
    const mask = this.table.length - 1;
    let slot = h & mask;
    const length = end - start;
    for (;;) {
      const entry = this.table[slot] ?? 0;
      if (entry === 0) break;
      const g = entry - 1;
      if (this.hashes[g] === h) {
        const name = this.names[g] ?? '';
        if (name.length === length) {
          let k = 0;
          while (k < length && name.charCodeAt(k) === text.charCodeAt(start + k)) k++;
          if (k === length) return this.localOf(g);
        }
      }
      slot = (slot + 1) & mask;
    }
    const g = this.names.length;
    // A copy, not a slice: V8 slices of 13 or more characters keep the whole file text alive.
    const name = text.slice(start, end);
    this.names.push(length < 13 ? name : Buffer.from(name, 'utf16le').toString('utf16le'));
    this.chars += length;
    if (g >= this.hashes.length) this.growIds();
    this.hashes[g] = h;
    this.table[slot] = g + 1;
    if (this.names.length * 2 > this.table.length) this.rehash();
    return this.localOf(g);
  }

  /** The local id of a name given as a string. */
  idOfString(name: string): number {
    return this.idOf(name, 0, name.length, hashOf(name, 0, name.length));
  }

  /** The local id of `name` if this call has met it, else -1 (nothing is interned). */
  knownId(name: string): number {
    const h = hashOf(name, 0, name.length);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.table[slot] ?? 0;
      if (entry === 0) return -1;
      const g = entry - 1;
      if (this.hashes[g] === h && this.names[g] === name) {
        return this.stamp[g] === this.generation ? (this.local[g] ?? -1) : -1;
      }
    }
  }

  private localOf(g: number): number {
    if (this.stamp[g] === this.generation) return this.local[g] ?? -1;
    this.stamp[g] = this.generation;
    this.local[g] = this.localCount;
    return this.localCount++;
  }

  private growIds(): void {
    const size = this.hashes.length * 2;
    const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes);
    this.stamp = grow(this.stamp);
    this.local = grow(this.local);
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let g = 0; g < this.names.length; g++) {
      let slot = (this.hashes[g] ?? 0) & mask;
      while ((table[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
      table[slot] = g + 1;
    }
    this.table = table;
  }
}

function hashOf(text: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let k = start; k < end; k++) h = Math.imul(h ^ text.charCodeAt(k), FNV_PRIME);
  return h;
}

/** A set of local ids (grows as ids are added). */
class IdSet {
  private bits: Uint8Array;
  constructor(size: number) {
    this.bits = new Uint8Array(Math.max(16, size));
  }
  has(id: number): boolean {
    return id >= 0 && id < this.bits.length && this.bits[id] === 1;
  }
  add(id: number): void {
    if (id < 0) return;
    if (id >= this.bits.length) {
      const bits = new Uint8Array(Math.max(id + 1, this.bits.length * 2));
      bits.set(this.bits);
      this.bits = bits;
    }
    this.bits[id] = 1;
  }
}

// State of one call (the slicer is synchronous; buffers are reused between files).
const interner = new Interner();
let info = new Int32Array(STRIDE * 1024);
let wordIds = new Int32Array(8192);
let wordCount = 0;
let lineCount = 0;
// Rows crossed by the last scanString call.
let stringRows = 0;
// Per call: def names of def lines, scope names.
let defNames = new Map<number, string>();
let scopeIndex = new Map<string, number>();

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
 * inconsistent indentation, more than 100 nested blocks, more than 262,144 logical lines) or
 * when more than `maxShare` of it would be kept.
 */
export function slicePython(
  text: string,
  triggers: ReadonlySet<string>,
  maxShare = 0.6,
): SliceRange[] | undefined {
  interner.begin();
  defNames = new Map();
  scopeIndex = new Map([['<module>', 0]]);
  try {
    try {
      scanLines(text);
      let at = 0;
      while (at < lineCount) at = readStatement(at, 0, 0, 0);
    } catch (error) {
      if (error === UNSLICEABLE) return undefined;
      throw error;
    }
    return keptRanges(text, triggers, maxShare);
  } finally {
    interner.trim();
    if (info.length > STRIDE * KEPT_LINES) info = new Int32Array(STRIDE * 1024);
    if (wordIds.length > KEPT_WORDS) wordIds = new Int32Array(8192);
  }
}

/** Steps 2 and 3 of slicePython, over the lines and statements read: what to keep. */
function keptRanges(
  text: string,
  triggers: ReadonlySet<string>,
  maxShare: number,
): SliceRange[] | undefined {
  const lines = lineCount;
  const importId = interner.knownId('import');
  const asId = interner.knownId('as');
  const lineHas = (i: number, id: number): boolean => {
    if (id < 0) return false;
    const end = info[i * STRIDE + WORDS_END] ?? 0;
    for (let w = info[i * STRIDE + WORDS_START] ?? 0; w < end; w++)
      if (wordIds[w] === id) return true;
    return false;
  };
  const lineAny = (i: number, set: IdSet): boolean => {
    const end = info[i * STRIDE + WORDS_END] ?? 0;
    for (let w = info[i * STRIDE + WORDS_START] ?? 0; w < end; w++) {
      if (set.has(wordIds[w] ?? -1)) return true;
    }
    return false;
  };
  // Bindings are read only of lines that can matter (they are much of the slicer's cost).
  const bindings: (Binding[] | undefined)[] = [];
  const bindingsAt = (i: number): Binding[] =>
    (bindings[i] ??= bindingsOf(text, i, importId, asId));

  // Aliases of audited names are triggers too: `from pickle import loads as L`, `L2 = L`. Only a
  // line holding a trigger can bind an alias of one.
  const trigger = new IdSet(interner.localCount + 64);
  for (const t of triggers) trigger.add(interner.idOfString(t));
  for (let grew = true; grew;) {
    grew = false;
    for (let i = 0; i < lines; i++) {
      if ((info[i * STRIDE + ASSIGN] ?? -1) < 0 && !lineHas(i, importId)) continue;
      if (!lineAny(i, trigger)) continue;
      for (const b of bindingsAt(i)) {
        if (b.from === undefined || trigger.has(b.name)) continue;
        let named = false;
        for (let k = 0; k < b.from.length && !named; k++) named = trigger.has(b.from[k] ?? -1);
        if (named) {
          trigger.add(b.name);
          grew = true;
        }
      }
    }
  }
  const triggered = new Uint8Array(lines);
  for (let i = 0; i < lines; i++) if (lineAny(i, trigger)) triggered[i] = 1;

  const kept = new Uint8Array(lines);
  const usedAnywhere = new IdSet(interner.localCount + 64);
  // (scope index, local id) pairs read in a scope, as scope * 2^24 + id: a text holds at most
  // 8 Mi characters (the audit's MAX_PARSED_CHARS), so fewer ids than that.
  const usedIn = new Set<number>();
  const SCOPE_KEY = 1 << 24;
  const use = (i: number): void => {
    const scope = (info[i * STRIDE + SCOPE] ?? 0) * SCOPE_KEY;
    const end = info[i * STRIDE + WORDS_END] ?? 0;
    for (let w = info[i * STRIDE + WORDS_START] ?? 0; w < end; w++) {
      const id = wordIds[w] ?? -1;
      usedAnywhere.add(id);
      usedIn.add(scope + id);
    }
  };
  const needed = (i: number): boolean => {
    if (triggered[i] === 1) return true;
    // Every name a line binds is one of its words: a line none of whose words is read binds
    // nothing the kept lines read.
    if (!lineAny(i, usedAnywhere)) return false;
    for (const b of bindingsAt(i)) {
      if (b.scope <= 0) {
        if (usedAnywhere.has(b.name)) return true;
      } else if (b.name >= 0 && usedIn.has(b.scope * SCOPE_KEY + b.name)) return true;
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
  const visit = (first: number): boolean => {
    const last = info[first * STRIDE + LAST] ?? first;
    const header = info[first * STRIDE + HEADER] ?? first;
    if (info[first * STRIDE + BODY] === 1 && !needs(first, header)) {
      // A def or class: its header with the body statements kept, if any is.
      let any = false;
      for (
        let child = header + 1;
        child <= last;
        child = (info[child * STRIDE + LAST] ?? last) + 1
      ) {
        if (visit(child)) any = true;
      }
      if (any) keep(first, header);
      return any;
    }
    if (kept[first] === 1 && kept[last] === 1) return true;
    if (!needs(first, last)) return false;
    keep(first, last);
    return true;
  };
  do {
    added = 0;
    for (let s = 0; s < lines; s = (info[s * STRIDE + LAST] ?? lines) + 1) visit(s);
  } while (added > 0);

  const ranges: SliceRange[] = [];
  let keptChars = 0;
  for (let i = 0; i < lines; i++) {
    if (kept[i] === 0) continue;
    let j = i;
    while (j + 1 < lines && kept[j + 1] === 1) j++;
    const start = info[i * STRIDE + START] ?? 0;
    const end = info[j * STRIDE + END] ?? 0;
    ranges.push({
      startIndex: start,
      endIndex: end,
      startPosition: { row: info[i * STRIDE + ROW] ?? 0, column: 0 },
      endPosition: {
        row: info[j * STRIDE + END_ROW] ?? 0,
        column: info[j * STRIDE + END_COLUMN] ?? 0,
      },
    });
    keptChars += end - start;
    i = j;
  }
  if (keptChars > text.length * maxShare) return undefined;
  return ranges;
}

function pushWord(id: number): void {
  if (wordCount === wordIds.length) {
    const grown = new Int32Array(wordIds.length * 2);
    grown.set(wordIds);
    wordIds = grown;
  }
  wordIds[wordCount++] = id;
}

/**
 * The words of `text[from, to)` of ASCII code: runs of name characters; a run that starts with
 * a digit gives every suffix that starts with a letter or `_` (`1load` lexes as a number then a
 * name, so each may be a token).
 */
function asciiWords(text: string, from: number, to: number): void {
  let k = from;
  while (k < to) {
    const c = text.charCodeAt(k);
    if (!isRun(c)) {
      k++;
      continue;
    }
    const runStart = k;
    if (c <= 57) {
      k++;
      while (k < to && isRun(text.charCodeAt(k))) k++;
      digitRunWords(text, runStart, k);
      continue;
    }
    let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
    k++;
    while (k < to) {
      const d = text.charCodeAt(k);
      if (!isRun(d)) break;
      h = Math.imul(h ^ d, FNV_PRIME);
      k++;
    }
    pushWord(interner.idOf(text, runStart, k, h));
  }
}

/** The words of a run `text[start, end)` that starts with a digit. */
function digitRunWords(text: string, start: number, end: number): void {
  for (let s = start + 1; s < end; s++) {
    if (isNameStart(text.charCodeAt(s)))
      pushWord(interner.idOf(text, s, end, hashOf(text, s, end)));
  }
}

/**
 * The words of a code segment holding non-ASCII characters: Python reads identifiers NFKC
 * normalised, so the segment is normalised and read with the identifier pattern, then as runs.
 */
function wideWords(segment: string): void {
  for (const w of segmentWords(segment)) pushWord(interner.idOfString(w));
}

/** The words of a code segment as strings (NFKC identifiers, then ASCII runs). */
function segmentWords(segment: string): string[] {
  const words: string[] = [];
  if (NON_ASCII.test(segment)) {
    const normal = identText(segment);
    for (const w of normal.match(IDENT) ?? []) words.push(w);
    segment = normal;
  }
  for (const run of segment.match(RUN) ?? []) {
    const c = run.charCodeAt(0);
    if (c >= 48 && c <= 57) {
      for (let s = 1; s < run.length; s++) {
        if (isNameStart(run.charCodeAt(s))) words.push(run.slice(s));
      }
    } else words.push(run);
  }
  return words;
}

/** The words of `text[from, to)`, ASCII or not. */
function rangeWords(text: string, from: number, to: number): void {
  for (let k = from; k < to; k++) {
    if (text.charCodeAt(k) >= 128) {
      wideWords(text.slice(from, to));
      return;
    }
  }
  asciiWords(text, from, to);
}

function growLines(): void {
  if (lineCount >= MAX_LINES) throw UNSLICEABLE;
  if ((lineCount + 1) * STRIDE > info.length) {
    const grown = new Int32Array(info.length * 2);
    grown.set(info);
    info = grown;
  }
}

/** The HEAD_* code of the line whose first non-blank character is at `j`. */
function headAt(text: string, j: number): number {
  const c = text.charCodeAt(j);
  if (c === 64 /* @ */) return HEAD_AT;
  if (!isNameStart(c)) return HEAD_OTHER;
  let k = j + 1;
  while (isRun(text.charCodeAt(k))) k++;
  switch (k - j) {
    case 3:
      return text.startsWith('def', j) ? HEAD_DEF : HEAD_OTHER;
    case 4:
      if (text.startsWith('from', j)) return HEAD_FROM;
      return text.startsWith('elif', j) || text.startsWith('else', j) ? HEAD_CLAUSE : HEAD_OTHER;
    case 5:
      if (text.startsWith('async', j)) return HEAD_ASYNC;
      return text.startsWith('class', j) ? HEAD_CLASS : HEAD_OTHER;
    case 6:
      if (text.startsWith('import', j)) return HEAD_IMPORT;
      return text.startsWith('except', j) ? HEAD_CLAUSE : HEAD_OTHER;
    case 7:
      return text.startsWith('finally', j) ? HEAD_CLAUSE : HEAD_OTHER;
    default:
      return HEAD_OTHER;
  }
}

/**
 * Splits a text into logical lines (a statement's line with its bracketed and backslash
 * continuations) into `info`, their words (identifiers of the code and of f-strings; plain
 * strings and comments are left out: they can name no call, keyword or variable) into
 * `wordIds`. Throws UNSLICEABLE where the layout is not plain.
 */
function scanLines(text: string): void {
  const n = text.length;
  const hasCarriageReturn = text.includes('\r');
  lineCount = 0;
  wordCount = 0;
  let i = 0;
  let row = 0;
  while (i < n) {
    let j = i;
    while (j < n && text.charCodeAt(j) === 32) j++;
    if (j >= n) break;
    let c = text.charCodeAt(j);
    if (c === 9 || c === 12) throw UNSLICEABLE;
    if (c === 10 || c === 13 || c === 35 /* # */) {
      // A blank or comment-only line: not a statement.
      if (!hasCarriageReturn) {
        const newline = text.indexOf('\n', j);
        j = newline < 0 ? n : newline;
      } else {
        while (j < n && text.charCodeAt(j) !== 10) {
          if (text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) !== 10) throw UNSLICEABLE;
          j++;
        }
      }
      i = j + 1;
      row++;
      continue;
    }
    growLines();
    const start = i;
    const startRow = row;
    const firstWord = wordCount;
    let depth = 0;
    // The current code segment (between strings and comments): its start, its first word, and
    // whether it holds non-ASCII characters (then its words are read again, NFKC-normalised).
    let segment = j;
    let segmentWord = wordCount;
    let wide = false;
    let assign = -1;
    let assignLength = 0;
    let k = j;
    let end = -1;
    while (k < n) {
      c = text.charCodeAt(k);
      if (c < 128 && ((CLASS[c] ?? 0) & 1) !== 0) {
        // A run of name characters: one word (or its name-like suffixes after a digit).
        const runStart = k;
        if (c <= 57) {
          k++;
          while (k < n && isRun(text.charCodeAt(k))) k++;
          digitRunWords(text, runStart, k);
          continue;
        }
        let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
        k++;
        while (k < n) {
          const d = text.charCodeAt(k);
          if (d >= 128 || ((CLASS[d] ?? 0) & 1) === 0) break;
          h = Math.imul(h ^ d, FNV_PRIME);
          k++;
        }
        const id = interner.idOf(text, runStart, k, h);
        if (wordCount === wordIds.length) pushWord(id);
        else wordIds[wordCount++] = id;
        continue;
      }
      if (c >= 128) {
        wide = true;
        k++;
        continue;
      }
      if (c === 35 /* # */) {
        if (wide) {
          wordCount = segmentWord;
          wideWords(text.slice(segment, k));
          wide = false;
        }
        while (k < n && text.charCodeAt(k) !== 10 && text.charCodeAt(k) !== 13) k++;
        segment = k;
        segmentWord = wordCount;
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
        if (text.charCodeAt(k + 1) !== 10) throw UNSLICEABLE;
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
        // A string prefix is at most two of [rRbBuUfF] right before the quote, in this segment,
        // not preceded by a name character (`bar"x"` is the name `bar`, then a string).
        let p = k;
        while (p > segment && p > k - 2 && isPrefixChar(text.charCodeAt(p - 1))) p--;
        const isPrefix = p === k || p === 0 || !isWordOrWide(text.charCodeAt(p - 1));
        let fString = false;
        if (isPrefix) {
          for (let q = p; q < k; q++) {
            const d = text.charCodeAt(q);
            if (d === 102 || d === 70) fString = true;
          }
        }
        if (wide) {
          wordCount = segmentWord;
          wideWords(text.slice(segment, isPrefix ? p : k));
          wide = false;
        } else if (isPrefix && p < k) wordCount--; // the prefix run, read as a word above
        const scanned = scanString(text, k, fString);
        row += stringRows;
        if (fString) rangeWords(text, k, scanned);
        k = scanned;
        segment = k;
        segmentWord = wordCount;
        continue;
      }
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) {
        depth--;
        if (depth < 0) throw UNSLICEABLE;
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
          if (isAugOperator(prev)) {
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
      if (depth > 0) throw UNSLICEABLE;
      end = n;
    }
    if (wide) {
      wordCount = segmentWord;
      wideWords(text.slice(segment, Math.min(k, n)));
    }
    const endsWithNewline = end > 0 && text.charCodeAt(end - 1) === 10;
    const head = headAt(text, j);
    if (head === HEAD_DEF || head === HEAD_ASYNC) {
      const name = /^(?:async[\s\\]+)?def[\s\\]+([^\s(:\\]+)/.exec(text.slice(j, end))?.[1];
      if (name !== undefined) defNames.set(lineCount, identText(name));
    }
    const at = lineCount * STRIDE;
    info[at + START] = start;
    info[at + END] = end;
    info[at + ROW] = startRow;
    info[at + END_ROW] = row;
    info[at + END_COLUMN] = endsWithNewline ? 0 : end - (text.lastIndexOf('\n', end - 1) + 1);
    info[at + INDENT] = j - i;
    info[at + HEAD] = head;
    info[at + ASSIGN] = assign;
    info[at + ASSIGN_LENGTH] = assignLength;
    info[at + WORDS_START] = firstWord;
    info[at + WORDS_END] = wordCount;
    lineCount++;
    i = end;
  }
}

/**
 * Skips a string literal starting at its quote; returns the offset after it and leaves the rows
 * it crossed in `stringRows`. Throws UNSLICEABLE for an unterminated one.
 */
function scanString(text: string, at: number, fString: boolean): number {
  stringRows = 0;
  const end = skipString(text, at, fString);
  return end;
}

function skipString(text: string, at: number, fString: boolean): number {
  const n = text.length;
  const quote = text.charCodeAt(at);
  const triple = text.charCodeAt(at + 1) === quote && text.charCodeAt(at + 2) === quote;
  let k = at + (triple ? 3 : 1);
  while (k < n) {
    const c = text.charCodeAt(k);
    if (c === 92 /* \ */) {
      if (text.charCodeAt(k + 1) === 10) stringRows++;
      else if (text.charCodeAt(k + 1) === 13 && text.charCodeAt(k + 2) === 10) {
        stringRows++;
        k++;
      }
      k += 2;
      continue;
    }
    if (c === 10 || c === 13) {
      if (!triple) throw UNSLICEABLE;
      if (c === 13 && text.charCodeAt(k + 1) !== 10) throw UNSLICEABLE;
      if (c === 10) stringRows++;
      k++;
      continue;
    }
    if (c === quote) {
      if (!triple) return k + 1;
      if (text.charCodeAt(k + 1) === quote && text.charCodeAt(k + 2) === quote) return k + 3;
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
          while (p > k - 2 && isPrefixChar(text.charCodeAt(p - 1))) p--;
          let inner = false;
          for (let q = p; q < k; q++) {
            const e = text.charCodeAt(q);
            if (e === 102 || e === 70) inner = true;
          }
          k = skipString(text, k, inner);
          continue;
        }
        if (d === 10) stringRows++;
        if (d === 40 || d === 91 || d === 123) depth++;
        else if (d === 41 || d === 93 || d === 125) {
          if (depth === 0) {
            if (d !== 125) throw UNSLICEABLE;
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
  throw UNSLICEABLE;
}

/**
 * Reads the statement starting at line `at` (indentation `indent`, in scope `scope`, `level`
 * blocks deep) with its body and clauses into `info`; returns the line after it.
 */
function readStatement(at: number, indent: number, scope: number, level: number): number {
  if (level > MAX_BLOCK_DEPTH) throw UNSLICEABLE;
  const first = at;
  let i = at;
  const indentOf = (k: number): number => info[k * STRIDE + INDENT] ?? 0;
  const headOf = (k: number): number => info[k * STRIDE + HEAD] ?? 0;
  if (indentOf(i) !== indent || headOf(i) === HEAD_CLAUSE) throw UNSLICEABLE;
  while (i < lineCount && headOf(i) === HEAD_AT) {
    info[i * STRIDE + SCOPE] = scope;
    i++;
    if (i >= lineCount || indentOf(i) !== indent) throw UNSLICEABLE;
  }
  const header = i;
  const head = headOf(header);
  const words = info[header * STRIDE + WORDS_START] ?? 0;
  const isDef =
    head === HEAD_DEF ||
    (head === HEAD_ASYNC &&
      (info[header * STRIDE + WORDS_END] ?? 0) - words > 1 &&
      wordIds[words + 1] === interner.knownId('def'));
  const isClass = head === HEAD_CLASS;
  // The code model scopes a def's own line (parameters, defaults) to the def, as its node spans it.
  let inner = scope;
  if (isDef) {
    const name = defNames.get(header) ?? '?';
    inner = scopeIndex.get(name) ?? scopeIndex.size;
    if (inner === scopeIndex.size) scopeIndex.set(name, inner);
  }
  info[header * STRIDE + SCOPE] = inner;
  i++;
  // Reads an indented block; returns how many statements it holds.
  const readBlock = (bodyScope: number): number => {
    if (i >= lineCount || indentOf(i) <= indent) return 0;
    const bodyIndent = indentOf(i);
    let count = 0;
    while (i < lineCount && indentOf(i) > indent) {
      if (indentOf(i) !== bodyIndent) throw UNSLICEABLE;
      i = readStatement(i, bodyIndent, bodyScope, level + 1);
      count++;
    }
    return count;
  };
  const body = readBlock(inner);
  const at0 = first * STRIDE;
  info[at0 + HEADER] = header;
  if ((isDef || isClass) && body > 0) {
    info[at0 + LAST] = i - 1;
    info[at0 + BODY] = 1;
    return i;
  }
  while (i < lineCount && indentOf(i) === indent && headOf(i) === HEAD_CLAUSE) {
    info[i * STRIDE + SCOPE] = scope;
    i++;
    readBlock(scope);
  }
  info[at0 + LAST] = i - 1;
  info[at0 + BODY] = 0;
  return i;
}

/**
 * The names logical line `i` binds the way the code model reads bindings: imports (file-wide),
 * `name = dotted.name` (file-wide: an alias when its head is imported), assignments and
 * augmented assignments to plain names (constants and taint of the line's scope), `as` targets.
 * It errs towards more bindings.
 */
function bindingsOf(text: string, i: number, importId: number, asId: number): Binding[] {
  const out: Binding[] = [];
  const at = i * STRIDE;
  const start = info[at + START] ?? 0;
  const end = info[at + END] ?? 0;
  const words = wordIds.subarray(info[at + WORDS_START] ?? 0, info[at + WORDS_END] ?? 0);
  const scope = info[at + SCOPE] ?? 0;
  if (importId >= 0 && words.includes(importId)) {
    const body = stripComment(text.slice(start, end));
    const items = importItems(body, info[at + HEAD] ?? 0);
    if (items === undefined) {
      // Not a plain import line: every name on it may be bound file-wide.
      for (const w of words) out.push({ name: w, scope: -1, from: words });
    } else {
      for (const item of items) {
        out.push({
          name: interner.idOfString(item.name),
          scope: -1,
          from: item.words.map((w) => interner.idOfString(w)),
        });
      }
    }
    return out;
  }
  if (asId >= 0 && words.includes(asId)) {
    const body = identText(text.slice(start, end));
    for (const m of body.matchAll(/\bas\s+([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)/g)) {
      out.push({ name: interner.idOfString(m[1] ?? ''), scope });
    }
  }
  const assign = info[at + ASSIGN] ?? -1;
  if (assign < 0) return out;
  const assignLength = info[at + ASSIGN_LENGTH] ?? 1;
  // Chained `a = b = v` and tuple targets: every plain name among the targets.
  const names = targetIds(text, start, assign);
  if (names.length === 0) return out;
  const alias = assignLength === 1 && isAliasValue(text, assign + assignLength, end);
  for (const local of names) {
    out.push({ name: local, scope });
    if (alias) out.push({ name: local, scope: -1, from: words });
  }
  return out;
}

/**
 * The ids of the plain names among the assignment targets `text[start, end)` (see splitTargets
 * and targetName, which read targets holding non-ASCII characters).
 */
function targetIds(text: string, start: number, end: number): number[] {
  const out: number[] = [];
  for (let k = start; k < end; k++) {
    if (text.charCodeAt(k) >= 128) {
      for (const part of splitTargets(text.slice(start, end))) {
        const name = targetName(part);
        if (name !== undefined) out.push(interner.idOfString(identText(name)));
      }
      return out;
    }
  }
  // splitTargets: parts end at `,` or `=` (not `==`, `!=`, `<=`, `>=`) outside nested brackets.
  let depth = 0;
  let from = start;
  for (let k = start; k <= end; k++) {
    if (k < end) {
      const c = text.charCodeAt(k);
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) depth--;
      if (!((c === 44 || c === 61) && depth <= 1)) continue;
      if (c === 61) {
        const prev = k > start ? text.charCodeAt(k - 1) : NaN;
        const next = k + 1 < end ? text.charCodeAt(k + 1) : NaN;
        if (next === 61 || prev === 61 || prev === 33 || prev === 60 || prev === 62) continue;
      }
    }
    // targetName of text[from, k): a name between opening and closing brackets, stars, blanks.
    let a = from;
    while (a < k && isTargetLead(text.charCodeAt(a))) a++;
    if (a < k && isNameStart(text.charCodeAt(a))) {
      let b = a + 1;
      while (b < k && isRun(text.charCodeAt(b))) b++;
      let rest = b;
      while (rest < k && isTargetTrail(text.charCodeAt(rest))) rest++;
      if (rest === k || text.charCodeAt(rest) === 58 /* : */) {
        out.push(interner.idOf(text, a, b, hashOf(text, a, b)));
      }
    }
    from = k + 1;
  }
  return out;
}

/** ` \t\n([*\\` before a target name. */
const isTargetLead = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 40 || c === 91 || c === 42 || c === 92;
/** ` \t\n)]\\` after a target name. */
const isTargetTrail = (c: number): boolean =>
  c === 32 || c === 9 || c === 10 || c === 41 || c === 93 || c === 92;

/**
 * Whether the right side `text[start, end)` of an assignment is a plain dotted name (`torch.load`,
 * blanks and backslashes left out, up to a `#`), not True, False or None: an alias the code model
 * follows.
 */
function isAliasValue(text: string, start: number, end: number): boolean {
  let state = 0; // 0: a name must start; 1: in a name
  let length = 0;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 35 /* # */) break;
    if (c >= 128) {
      const value = stripComment(text.slice(start, end)).replace(/[\s\\]+/g, '');
      return ALIAS_VALUE.test(value) && !LITERAL_NAMES.has(value);
    }
    // \s of ASCII (tab, newline, vertical tab, form feed, carriage return, space) and `\`.
    if ((c >= 9 && c <= 13) || c === 32 || c === 92) continue;
    length++;
    if (isNameStart(c)) state = 1;
    else if (c >= 48 && c <= 57) {
      if (state === 0) return false;
    } else if (c === 46 /* . */) {
      if (state === 0) return false;
      state = 0;
    } else return false;
  }
  if (state !== 1) return false;
  if (length > 5) return true;
  const value = stripComment(text.slice(start, end)).replace(/[\s\\]+/g, '');
  return !LITERAL_NAMES.has(value);
}

/**
 * The names a plain `import a.b as c, d` or `from m import (x as y, z)` line binds, each with the
 * words of its item; undefined for any other line holding the word `import`.
 */
function importItems(body: string, head: number): { name: string; words: string[] }[] | undefined {
  const text = identText(body).replace(/\\\r?\n/g, ' ');
  if (text.includes(';')) return undefined;
  const tokens = text.match(/[\w.\u0080-\uffff]+|[^\s\w.\u0080-\uffff]/g) ?? [];
  let k = 0;
  const isFrom = head === HEAD_FROM;
  if (isFrom) {
    if (tokens[0] !== 'from' || tokens[2] !== 'import') return undefined;
    k = 3;
  } else if (head === HEAD_IMPORT && tokens[0] === 'import') {
    k = 1;
  } else return undefined;
  const out: { name: string; words: string[] }[] = [];
  const paren = isFrom && tokens[k] === '(';
  if (paren) k++;
  if (isFrom && tokens[k] === '*') return out;
  const dotted = /^[\w\u0080-\uffff]+(?:\.[\w\u0080-\uffff]+)*$/;
  while (k < tokens.length) {
    const name = tokens[k] ?? '';
    if (paren && name === ')') break;
    if (!dotted.test(name)) return undefined;
    k++;
    let bound = isFrom ? name : (name.split('.')[0] ?? name);
    const words = segmentWords(name);
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
