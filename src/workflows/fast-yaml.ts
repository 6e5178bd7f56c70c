import type { Span } from '../core/finding.js';
import type { YamlTree, YMap, YMapEntry, YNode, YPath, YScalar, YSeq } from './yaml-nodes.js';

/**
 * A direct parser for the plain subset of YAML that GitHub workflows are written in: block
 * mappings and sequences, plain scalars (multi-line ones in block context included), one-line
 * quoted scalars, `|`/`>` block scalars, flow collections (over several lines too, trailing
 * comma allowed) and comments. It builds the same located tree as the `yaml`-package path in
 * yaml-tree.ts (a differential test holds the two equal) at a fraction of the cost, and gives up —
 * returns `undefined` — on anything outside the subset (anchors, aliases, tags, multi-line
 * quoted scalars, plain scalars over several lines inside flow collections, explicit keys,
 * several documents, tabs, CR,
 * duplicate keys, a non-mapping root, any construct the `yaml` package would report as an error),
 * so the caller can hand the text to the full parser. It never reports problems itself: a text it
 * accepts is one the full parser reads without errors.
 */
export function parseFastYamlTree(text: string, maxNodes: number): YamlTree | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  const parser = new FastParser(text, maxNodes);
  try {
    const root = parser.document();
    return { root, problems: [], scalarSpans: parser.scalarSpans };
  } catch (error) {
    if (error === BAIL) return undefined;
    throw error;
  }
}

// Characters the fast path never handles: control characters other than LF (tabs and CR among
// them), C1 controls and a BOM inside the text. Document markers and directives are refused
// where lines start (nextContentLine).
// eslint-disable-next-line no-control-regex
const UNSUPPORTED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff]/;

const BAIL: unknown = Symbol('outside the fast YAML subset');

function bail(): never {
  throw BAIL;
}

const NL = 10;
const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;

// Workflows nest about eight levels; the full parser enforces the real limit (128) and reports it.
const MAX_DEPTH = 128;

class FastParser {
  readonly scalarSpans: Span[] = [];
  /** Start of the line the parser stands at, between nodes. */
  private pos = 0;
  private nodes = 0;
  private readonly length: number;
  /** Set by plainLine: where the line's scan stopped (line feed, comment or end of text). */
  private stop = 0;
  /** Set by plainLine: whether a comment ended the line's scan. */
  private commented = false;
  /** Column of the block collection holding the flow collection being read. */
  private flowIndent = 0;
  /** How many flow collections the reader is inside (1 in the outermost). */
  private flowLevel = 0;
  /** How many of those are flow mappings. */
  private flowMaps = 0;

  constructor(
    private readonly text: string,
    private readonly maxNodes: number,
  ) {
    this.length = text.length;
  }

  document(): YNode {
    const indent = this.nextContentLine();
    if (indent !== 0) bail();
    const root = this.map(this.pos, 0, [], 0);
    if (this.nextContentLine() !== -1) bail();
    return root;
  }

  /**
   * Moves `pos` to the start of the next line holding content (skipping blank and comment lines)
   * and returns that line's indentation, or -1 at the end of the text.
   */
  private nextContentLine(): number {
    const { text, length } = this;
    let p = this.pos;
    while (p < length) {
      let q = p;
      while (q < length && this.code(q) === SPACE) q++;
      if (q === length) break;
      const c = this.code(q);
      if (c === NL) {
        p = q + 1;
        continue;
      }
      if (c === HASH) {
        const nl = text.indexOf('\n', q);
        if (nl === -1) break;
        p = nl + 1;
        continue;
      }
      // `---`, `...` and `%` at the start of a line: documents and directives (never content here:
      // every scalar this parser reads is indented or ends before such a line).
      if (q === p && (c === 0x25 || ((c === DASH || c === 0x2e) && this.isMarker(p)))) bail();
      this.pos = p;
      return q - p;
    }
    this.pos = length;
    return -1;
  }

  /** `---` or `...` at `at`, followed by a space, a line end or the end of the text. */
  private isMarker(at: number): boolean {
    const c = this.code(at);
    return this.code(at + 1) === c && this.code(at + 2) === c && isEmpty(this.code(at + 3));
  }

  private count(depth: number): void {
    if (++this.nodes > this.maxNodes || depth > MAX_DEPTH) bail();
  }

  /**
   * A scalar node over `[start, end)`. Quoted and block scalars are recorded in `scalarSpans` (a
   * `#` inside them is content, not a comment), as the full path records them.
   */
  private scalar(
    start: number,
    end: number,
    path: YPath,
    value: string | number | boolean | null,
    style: 'plain' | 'quoted' | 'block',
  ): YScalar {
    const span = { start, end };
    if (style !== 'plain') this.scalarSpans.push(span);
    return { kind: 'scalar', span, path, value, text: scalarText(value), block: style === 'block' };
  }

  /** The key scalar `[at, end)` of value `value` under `path`: its path ends in its text. */
  private keyScalar(
    at: number,
    end: number,
    path: YPath,
    value: string | number | boolean | null,
    quoted: boolean,
  ): YScalar {
    return this.scalar(
      at,
      end,
      childPath(path, scalarText(value)),
      value,
      quoted ? 'quoted' : 'plain',
    );
  }

  /** A block mapping whose first key starts at `at`, with every key at column `indent`. */
  private map(at: number, indent: number, path: YPath, depth: number): YMap {
    this.count(depth);
    const entries = new Map<string, YMapEntry>();
    let keyAt = at;
    let end = at;
    for (;;) {
      const { key, valueAt } = this.key(keyAt, path);
      if (entries.has(key.text)) bail();
      const value = this.value(valueAt, indent, key.path, depth + 1, 'map');
      entries.set(key.text, { key, value });
      end = value.span.end;
      const next = this.nextContentLine();
      if (next < indent) break;
      if (next > indent) bail();
      keyAt = this.pos + indent;
    }
    return { kind: 'map', span: { start: at, end }, path, entries };
  }

  /** A block sequence whose first `-` is at `at`, column `indent`. */
  private seq(at: number, indent: number, path: YPath, depth: number): YSeq {
    this.count(depth);
    const items: YNode[] = [];
    let dash = at;
    let end = at;
    for (;;) {
      const item = this.value(
        this.skipSpaces(dash + 1),
        indent,
        childPath(path, items.length),
        depth + 1,
        'seq',
      );
      items.push(item);
      end = item.span.end;
      const next = this.nextContentLine();
      if (next < indent) break;
      if (next > indent) bail();
      const at2 = this.pos + indent;
      if (!this.isIndicator(at2, DASH)) break;
      dash = at2;
    }
    return { kind: 'seq', span: { start: at, end }, path, items };
  }

  /**
   * The implicit key at `at` (a plain or one-line quoted scalar followed by `: ` or `:` at the end
   * of the line). Returns the key scalar and the offset of the value (after the spaces).
   */
  private key(at: number, path: YPath): { key: YScalar; valueAt: number } {
    const { text } = this;
    const c = this.code(at);
    let keyEnd: number;
    let colon: number;
    let value: string | number | boolean | null;
    let quoted = false;
    if (c === 0x22 || c === 0x27) {
      const quote = this.quoted(at);
      keyEnd = quote.end;
      value = quote.value;
      quoted = true;
      colon = this.skipSpaces(keyEnd);
      if (!this.isIndicator(colon, COLON)) bail();
    } else {
      this.plainStart(at);
      let i = at;
      keyEnd = at;
      for (;;) {
        if (i >= this.length) bail();
        const ch = this.code(i);
        if (ch === NL) bail();
        if (ch === COLON && isEmpty(this.code(i + 1))) break;
        if (ch === SPACE) {
          if (this.code(i + 1) === HASH) bail();
        } else keyEnd = i + 1;
        i++;
      }
      colon = i;
      value = plainValue(text.slice(at, keyEnd));
    }
    // The `yaml` package (strict) refuses an implicit key whose `:` is more than 1024 characters on.
    if (colon - at > 1024) bail();
    const key = this.keyScalar(at, keyEnd, path, value, quoted);
    return { key, valueAt: this.skipSpaces(colon + 1) };
  }

  /**
   * The value after a `key:` or `-` indicator (and its spaces), at `at`; `indent` is the column of
   * the collection holding it. Leaves `pos` at the start of the line after the value.
   */
  private value(
    at: number,
    indent: number,
    path: YPath,
    depth: number,
    parent: 'map' | 'seq',
  ): YNode {
    const c = at < this.length ? this.code(at) : NL;
    if (c === NL || c === HASH) {
      // Nothing on this line: the value is on the next lines, or empty. The empty scalar sits
      // after the indicator and its spaces, as the `yaml` package places it.
      const skipped = this.lineAfter(at);
      this.pos = skipped;
      const next = this.nextContentLine();
      if (next > indent) return this.blockNode(next, indent, path, skipped, depth);
      if (next === indent && parent === 'map' && this.isIndicator(this.pos + indent, DASH)) {
        return this.seq(this.pos + indent, indent, path, depth);
      }
      this.count(depth);
      return this.scalar(at, at, path, null, 'plain');
    }
    switch (c) {
      case 0x7c: // |
      case 0x3e: // >
        return this.blockScalar(at, indent, path, depth);
      case 0x5b: // [
      case 0x7b: {
        // {
        this.flowIndent = indent;
        this.flowLevel = 0;
        this.flowMaps = 0;
        const node = this.flow(at, path, depth);
        this.pos = this.lineAfter(this.trailing(node.span.end));
        return node;
      }
      case 0x22: // "
      case 0x27: {
        // '
        if (parent === 'seq' && this.looksLikeKey(at)) break;
        this.count(depth);
        const quote = this.quoted(at);
        this.pos = this.lineAfter(this.trailing(quote.end));
        return this.scalar(at, quote.end, path, quote.value, 'quoted');
      }
      default:
        break;
    }
    if (parent === 'seq' && this.looksLikeKey(at)) {
      // `- key: value`: a compact mapping whose keys sit at this column.
      return this.map(at, at - this.lineStart(at), path, depth);
    }
    return this.plain(at, indent, path, depth);
  }

  /**
   * A node starting on its own line at column `indent` (under a `key:` or `-` of the collection
   * at column `parent`): a block collection or a plain scalar. `skipped` is the start of the
   * lines skipped to reach it (blank and comment lines).
   */
  private blockNode(
    indent: number,
    parent: number,
    path: YPath,
    skipped: number,
    depth: number,
  ): YNode {
    const at = this.pos + indent;
    if (this.isIndicator(at, DASH)) return this.seq(at, indent, path, depth);
    if (this.looksLikeKey(at)) return this.map(at, indent, path, depth);
    // The `yaml` package misreads a plain scalar after a comment line at a shallow column (as a
    // multi-line key): any comment line before it is left to the full parser.
    for (let i = skipped; i < this.pos; i++) if (this.code(i) === HASH) bail();
    return this.plain(at, parent, path, depth);
  }

  /** Whether a plain or quoted implicit key followed by `: ` starts at `at` on this line. */
  private looksLikeKey(at: number): boolean {
    const c = this.code(at);
    if (c === 0x22 || c === 0x27) {
      const close = this.quoteEnd(at);
      if (close === -1) return false;
      return this.isIndicator(this.skipSpaces(close), COLON);
    }
    for (let i = at; i < this.length; i++) {
      const ch = this.code(i);
      if (ch === NL) return false;
      if (ch === COLON && isEmpty(this.code(i + 1))) return i > at;
      if (ch === SPACE && this.code(i + 1) === HASH) return false;
    }
    return false;
  }

  /**
   * A plain scalar in block context starting at `at`, continued on the following lines that are
   * indented past `indent` (the column of the collection holding it), folded as YAML folds them:
   * one line break becomes a space, each further (blank) line a line feed.
   */
  private plain(at: number, indent: number, path: YPath, depth: number): YScalar {
    this.count(depth);
    this.plainStart(at);
    const { text, length } = this;
    let end = this.plainLine(at);
    let value: string | undefined;
    while (!this.commented && this.stop < length) {
      // The next line holding content: a continuation if indented past the collection.
      let p = this.stop + 1;
      let breaks = 1;
      let q = p;
      for (;;) {
        while (this.code(q) === SPACE) q++;
        if (this.code(q) !== NL) break;
        breaks++;
        p = q + 1;
        q = p;
      }
      // The end of the text, a comment line (which ends the scalar) or a line not indented enough.
      if (q >= length || this.code(q) === HASH || q - p <= indent) break;
      // `- `, `? ` and `: ` are content here for the yaml package too, but the subset leaves them out.
      const c = this.code(q);
      if ((c === DASH || c === COLON || c === 0x3f) && isEmpty(this.code(q + 1))) bail();
      const lineEnd = this.plainLine(q);
      value =
        (value ?? text.slice(at, end)) +
        (breaks === 1 ? ' ' : '\n'.repeat(breaks - 1)) +
        text.slice(q, lineEnd);
      end = lineEnd;
    }
    this.pos = this.lineAfter(this.stop);
    return this.scalar(at, end, path, plainValue(value ?? text.slice(at, end)), 'plain');
  }

  /**
   * Scans one line of a block plain scalar from `at`: returns the offset after its last non-space
   * character; sets `stop` (the line feed, the comment's `#` or the end of the text) and
   * `commented`. Refuses `: ` (a nested mapping on one line, or a multi-line implicit key).
   */
  private plainLine(at: number): number {
    let i = at;
    let end = at;
    this.commented = false;
    while (i < this.length) {
      const ch = this.code(i);
      if (ch === NL) break;
      if (ch === COLON && isEmpty(this.code(i + 1))) bail(); // `a: b: c`
      if (ch === SPACE) {
        if (this.code(i + 1) === HASH) {
          this.commented = true;
          break;
        }
      } else end = i + 1;
      i++;
    }
    this.stop = i;
    return end;
  }

  /** Refuses what the `yaml` package would not read as the start of a plain scalar. */
  private plainStart(at: number, inFlow = false): void {
    const c = this.code(at);
    switch (c) {
      case 0x26: // &
      case 0x2a: // *
      case 0x21: // !
      case 0x25: // %
      case 0x40: // @
      case 0x60: // `
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3e: // >
      case 0x5b: // [
      case 0x5d: // ]
      case 0x7b: // {
      case 0x7d: // }
      case HASH:
      case 0x22:
      case 0x27:
        bail();
        break;
      case DASH:
      case COLON:
      case 0x3f: {
        // ?  (followed by a space, or by a flow indicator inside a flow collection)
        const next = this.code(at + 1);
        if (isEmpty(next) || (inFlow && isFlowIndicator(next))) bail();
        break;
      }
      default:
        break;
    }
  }

  /**
   * A `|` or `>` block scalar (no explicit indentation indicator). `indent` is the column of the
   * collection holding it: content lines must be indented further. The lines it takes and the
   * value it has follow the `yaml` package's lexer and composer exactly, trailing blank lines and
   * chomping included.
   */
  private blockScalar(at: number, indent: number, path: YPath, depth: number): YScalar {
    this.count(depth);
    const { text, length } = this;
    const folded = this.code(at) === 0x3e;
    let i = at + 1;
    let chomp = '';
    const ci = this.code(i);
    if (ci === DASH || ci === 0x2b) {
      chomp = ci === DASH ? '-' : '+';
      i++;
    }
    const afterHeader = i;
    i = this.skipSpaces(i);
    if (i < length) {
      const ch = this.code(i);
      if (ch === HASH) {
        if (i === afterHeader) bail(); // a comment needs a space before it
      } else if (ch !== NL) bail(); // indentation indicators and stray text
    }
    const bodyStart = this.lineAfter(i);
    // Which lines belong to the scalar (the lexer's rule).
    const indentNext = indent + 1;
    let nl = bodyStart - 1;
    let lineIndent = 0;
    let p = bodyStart;
    for (; p < length; p++) {
      const ch = this.code(p);
      if (ch === SPACE) lineIndent++;
      else if (ch === NL) {
        nl = p;
        lineIndent = 0;
      } else break;
    }
    if (lineIndent >= indentNext) {
      const contentIndent = lineIndent;
      for (;;) {
        const offset = nl + 1;
        let k = 0;
        while (this.code(offset + k) === SPACE) k++;
        const ch = offset + k < length ? this.code(offset + k) : -1;
        if (!(ch === NL || k >= contentIndent)) break;
        nl = text.indexOf('\n', offset + k);
        if (nl === -1) {
          nl = length;
          break;
        }
      }
    }
    if (chomp !== '+') {
      // Trailing blank lines no longer than the first line's indentation are not part of it.
      for (;;) {
        let j = nl - 1;
        const lastChar = j;
        while (j >= 0 && this.code(j) === SPACE) j--;
        if (j >= bodyStart && this.code(j) === NL && j + 1 + lineIndent > lastChar) nl = j;
        else break;
      }
    }
    const end = Math.min(nl + 1, length);
    const value = blockScalarValue(text.slice(bodyStart, end), folded, chomp);
    if (value === undefined) bail();
    this.pos = end;
    return this.scalar(at, end, path, value, 'block');
  }

  /**
   * A flow collection, on one line or several (its lines indented past the block collection at
   * `flowIndent`; the outermost closing bracket may sit at that column). A trailing comma is
   * allowed, as in the `yaml` package. Returns with the span ending after the closing bracket.
   */
  private flow(at: number, path: YPath, depth: number): YMap | YSeq {
    this.count(depth);
    this.flowLevel++;
    const isSeq = this.code(at) === 0x5b;
    if (!isSeq) this.flowMaps++;
    const close = isSeq ? 0x5d : 0x7d;
    let i = this.flowSpace(at + 1, close);
    const items: YNode[] = [];
    const entries = new Map<string, YMapEntry>();
    while (this.code(i) !== close) {
      if (isSeq) {
        const item = this.flowItem(i, childPath(path, items.length), depth + 1);
        items.push(item);
        i = this.flowSpace(item.span.end, close);
      } else {
        const key = this.flowKey(i, path);
        if (entries.has(key.key.text)) bail();
        const value = this.flowItem(key.valueAt, key.key.path, depth + 1);
        entries.set(key.key.text, { key: key.key, value });
        i = this.flowSpace(value.span.end, close);
      }
      const ch = this.code(i);
      if (ch === close) break;
      if (ch !== 0x2c) bail(); // ,
      i = this.flowSpace(i + 1, close);
      // An empty item (`,,`); a trailing comma before the closing bracket ends the loop.
      if (this.code(i) === 0x2c) bail();
    }
    this.flowLevel--;
    if (!isSeq) this.flowMaps--;
    const span = { start: at, end: i + 1 };
    return isSeq ? { kind: 'seq', span, path, items } : { kind: 'map', span, path, entries };
  }

  /**
   * Skips spaces, line breaks and comments inside a flow collection from `at`; returns the offset
   * of the next token. Refuses the end of the text and a line not indented past `flowIndent`
   * (unless it starts with the outermost collection's closing bracket `close` at that column).
   */
  private flowSpace(at: number, close: number): number {
    let i = this.skipSpaces(at);
    for (;;) {
      const c = this.code(i);
      if (c === HASH) {
        // A comment needs a space (or a line start) before it. Inside a flow mapping the `yaml`
        // package reports some comments (one at column 0 after a value) as errors: left out.
        const before = this.code(i - 1);
        if ((before !== SPACE && before !== NL) || this.flowMaps > 0) bail();
        i = this.text.indexOf('\n', i);
        if (i === -1) bail();
        continue;
      }
      if (c !== NL) {
        if (i >= this.length) bail();
        return i;
      }
      const lineStart = i + 1;
      i = this.skipSpaces(lineStart);
      const column = i - lineStart;
      const next = this.code(i);
      if (next === NL || next === HASH || column > this.flowIndent) continue;
      if (column === this.flowIndent && next === close && this.flowLevel === 1) return i;
      bail();
    }
  }

  private flowKey(at: number, path: YPath): { key: YScalar; valueAt: number } {
    const { text } = this;
    const c = this.code(at);
    let end: number;
    let value: string | number | boolean | null;
    let quoted = false;
    if (c === 0x22 || c === 0x27) {
      const quote = this.quoted(at);
      end = quote.end;
      value = quote.value;
      quoted = true;
    } else {
      end = this.flowPlainEnd(at);
      value = plainValue(text.slice(at, end));
    }
    if (this.code(end) !== COLON || this.code(end + 1) !== SPACE) bail();
    const valueAt = this.skipSpaces(end + 1);
    const next = this.code(valueAt);
    if (next === 0x2c || next === 0x7d || next === NL || valueAt >= this.length) bail();
    return { key: this.keyScalar(at, end, path, value, quoted), valueAt };
  }

  /** One item (or mapping value) inside a flow collection. */
  private flowItem(at: number, path: YPath, depth: number): YNode {
    const { text } = this;
    const c = this.code(at);
    if (c === 0x5b || c === 0x7b) return this.flow(at, path, depth);
    this.count(depth);
    if (c === 0x22 || c === 0x27) {
      const quote = this.quoted(at);
      return this.scalar(at, quote.end, path, quote.value, 'quoted');
    }
    const end = this.flowPlainEnd(at);
    return this.scalar(at, end, path, plainValue(text.slice(at, end)), 'plain');
  }

  /** The end (after the last non-space) of a plain scalar in a flow collection at `at`. */
  private flowPlainEnd(at: number): number {
    this.plainStart(at, true);
    let end = at;
    for (let i = at; i < this.length; i++) {
      const ch = this.code(i);
      if (ch === 0x2c || ch === 0x5d || ch === 0x7d) return end;
      if (ch === NL) {
        // The scalar ends at the line break when the next content is a `,` or a closing bracket
        // (flowSpace checks those lines' indentation); otherwise it would go on: not in the subset.
        let j = i;
        while (this.code(j) === SPACE || this.code(j) === NL) j++;
        const next = this.code(j);
        if (next === 0x2c || next === 0x5d || next === 0x7d) return end;
        bail();
      }
      if (ch === 0x5b || ch === 0x7b) bail();
      if (ch === COLON) {
        const next = this.code(i + 1);
        // `a: b` inside a sequence is a one-pair mapping; only `key: value` in `{}` is read here.
        if (isEmpty(next) || isFlowIndicator(next)) return end;
      }
      if (ch === SPACE) {
        if (this.code(i + 1) === HASH) bail();
      } else end = i + 1;
    }
    bail();
  }

  /** A quoted scalar closed on its line: its value and the offset after the closing quote. */
  private quoted(at: number): { value: string; end: number } {
    const close = this.quoteEnd(at);
    if (close === -1) bail();
    const body = this.text.slice(at + 1, close - 1);
    if (this.code(at) === 0x27) return { value: body.replaceAll("''", "'"), end: close };
    const value = body.includes('\\') ? unescapeDouble(body) : body;
    if (value === undefined) bail();
    return { value, end: close };
  }

  /** The offset after the closing quote of the quoted scalar at `at`, or -1 if not on this line. */
  private quoteEnd(at: number): number {
    const quote = this.code(at);
    for (let i = at + 1; i < this.length; i++) {
      const ch = this.code(i);
      if (ch === NL) return -1;
      if (quote === 0x27) {
        if (ch === 0x27) {
          if (this.code(i + 1) === 0x27) i++;
          else return i + 1;
        }
      } else if (ch === 0x5c) i++;
      else if (ch === 0x22) return i + 1;
    }
    return -1;
  }

  /** After a value: only spaces and a comment may follow on the line. Returns the line end. */
  private trailing(at: number): number {
    const i = this.skipSpaces(at);
    if (i >= this.length) return i;
    const ch = this.code(i);
    if (ch === NL) return i;
    if (ch === HASH && i > at) return i;
    return bail();
  }

  private skipSpaces(at: number): number {
    let i = at;
    while (i < this.length && this.code(i) === SPACE) i++;
    return i;
  }

  /** `-`, `:` (or `?`) at `at` followed by a space, a line end or the end of the text. */
  private isIndicator(at: number, code: number): boolean {
    return at < this.length && this.code(at) === code && isEmpty(this.code(at + 1));
  }

  /** The UTF-16 code at `at`, or -1 past the end (reading past a string's end makes V8 deoptimise). */
  private code(at: number): number {
    return at < this.length ? this.text.charCodeAt(at) : -1;
  }

  private lineAfter(at: number): number {
    const nl = this.text.indexOf('\n', at);
    return nl === -1 ? this.length : nl + 1;
  }

  private lineStart(at: number): number {
    return this.text.lastIndexOf('\n', at - 1) + 1;
  }
}

/**
 * `path` with `key` appended. Array literals for the usual depths: they are packed arrays like the
 * root `[]` (a sized `new Array(n)` is holey, and mixing the two kinds made V8 recompile the
 * functions that read paths), and faster than a spread.
 */
function childPath(path: YPath, key: string | number): YPath {
  // (`?? 0` never applies: the length was just checked.)
  switch (path.length) {
    case 0:
      return [key];
    case 1:
      return [path[0] ?? 0, key];
    case 2:
      return [path[0] ?? 0, path[1] ?? 0, key];
    case 3:
      return [path[0] ?? 0, path[1] ?? 0, path[2] ?? 0, key];
    default:
      return [...path, key];
  }
}

/** Space, line feed or past the end (-1). */
function isEmpty(code: number): boolean {
  return code === SPACE || code === NL || code < 0;
}

/** `,`, `[`, `]`, `{` or `}`. */
function isFlowIndicator(code: number): boolean {
  return code === 0x2c || code === 0x5b || code === 0x5d || code === 0x7b || code === 0x7d;
}

/** The YAML 1.2 core schema, as the `yaml` package resolves plain scalars. */
function plainValue(source: string): string | number | boolean | null {
  const first = source.charCodeAt(0);
  // Every non-string form starts with one of `~ n N t T f F . + - 0-9`.
  if (!(
    first === 0x7e ||
    first === 0x2e ||
    first === 0x2b ||
    first === DASH ||
    (first >= 0x30 && first <= 0x39) ||
    'nNtTfF'.includes(source.charAt(0))
  )) {
    return source;
  }
  if (NULL_RE.test(source)) return null;
  if (BOOL_RE.test(source)) return first === 0x74 || first === 0x54;
  if (OCT_RE.test(source)) return parseInt(source.substring(2), 8);
  if (INT_RE.test(source)) return parseInt(source, 10);
  if (HEX_RE.test(source)) return parseInt(source.substring(2), 16);
  if (NAN_INF_RE.test(source)) {
    if (source.slice(-3).toLowerCase() === 'nan') return NaN;
    return first === DASH ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (EXP_RE.test(source) || FLOAT_RE.test(source)) return parseFloat(source);
  return source;
}

const NULL_RE = /^(?:~|[Nn]ull|NULL)$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const NAN_INF_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A scalar's value as text: `''` for null, numbers and booleans as `String` writes them. */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return '';
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

/** The value of a one-line double-quoted body, or undefined for an invalid escape. */
function unescapeDouble(body: string): string | undefined {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body.charAt(i);
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body.charAt(++i);
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const size = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (size === 0) return undefined;
    const hex = body.slice(i + 1, i + 1 + size);
    if (hex.length !== size || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    out += String.fromCodePoint(code);
    i += size;
  }
  return out;
}

/**
 * The value of a block scalar's body lines (the composer's rule: indentation from the first
 * content line, folding for `>`, chomping). Undefined when the `yaml` package would report an
 * error (a leading blank line longer than the first content line's indentation).
 */
function blockScalarValue(source: string, folded: boolean, chomp: string): string | undefined {
  const lines = splitLines(source);
  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]?.[1] === '') chompStart = i;
    else break;
  }
  if (chompStart === 0) {
    return chomp === '+' && lines.length > 0 ? '\n'.repeat(Math.max(1, lines.length - 1)) : '';
  }
  let trim = 0;
  let contentStart = 0;
  let blankMax = 0;
  for (let i = 0; i < chompStart; i++) {
    const [indent, content] = lines[i] ?? ['', ''];
    if (content === '') {
      blankMax = Math.max(blankMax, indent.length);
      continue;
    }
    if (indent.length < blankMax) return undefined;
    trim = indent.length;
    contentStart = i;
    break;
  }
  for (let i = lines.length - 1; i >= chompStart; i--) {
    if ((lines[i]?.[0].length ?? 0) > trim) chompStart = i + 1;
  }
  let value = '';
  let sep = '';
  let prevMoreIndented = false;
  for (let i = 0; i < contentStart; i++) value += (lines[i]?.[0] ?? '').slice(trim) + '\n';
  for (let i = contentStart; i < chompStart; i++) {
    const [indent, content] = lines[i] ?? ['', ''];
    if (content !== '' && indent.length < trim) return undefined;
    if (!folded) {
      value += sep + indent.slice(trim) + content;
      sep = '\n';
    } else if (indent.length > trim) {
      if (sep === ' ') sep = '\n';
      else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
      value += sep + indent.slice(trim) + content;
      sep = '\n';
      prevMoreIndented = true;
    } else if (content === '') {
      if (sep === '\n') value += '\n';
      else sep = '\n';
    } else {
      value += sep + content;
      sep = ' ';
      prevMoreIndented = false;
    }
  }
  if (chomp === '+') {
    for (let i = chompStart; i < lines.length; i++)
      value += '\n' + (lines[i]?.[0] ?? '').slice(trim);
    if (!value.endsWith('\n')) value += '\n';
  } else if (chomp === '') value += '\n';
  return value;
}

/** Lines as `[indentation, rest]`, split at every line feed (a final one gives an empty line). */
function splitLines(source: string): [string, string][] {
  if (source === '') return [];
  const out: [string, string][] = [];
  let start = 0;
  for (;;) {
    const nl = source.indexOf('\n', start);
    const line = nl === -1 ? source.slice(start) : source.slice(start, nl);
    let k = 0;
    while (k < line.length && line.charCodeAt(k) === SPACE) k++;
    out.push([line.slice(0, k), line.slice(k)]);
    if (nl === -1) return out;
    start = nl + 1;
  }
}
