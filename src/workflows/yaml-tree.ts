import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { checkLimit, FormatError, toFormatError } from '../core/errors.js';
import type { Span } from '../core/finding.js';
import type { Limits } from '../core/limits.js';
import { parseFastYamlTree, scalarText } from './fast-yaml.js';
import type {
  YamlProblem,
  YamlTree,
  YMap,
  YMapEntry,
  YNode,
  YPath,
  YScalar,
} from './yaml-nodes.js';

// The node types live in yaml-nodes.ts, which both parsers (this one and fast-yaml.ts) import:
// re-exported here so readers of the tree need one import.
export type {
  YamlProblem,
  YamlTree,
  YMap,
  YMapEntry,
  YNode,
  YPath,
  YScalar,
  YSeq,
} from './yaml-nodes.js';

// Workflows nest about eight levels deep; 128 leaves room for odd but valid files while a
// `[[[[…` depth bomb stops long before the call stack does.
const MAX_DEPTH = 128;
const DEPTH_MESSAGE = `YAML nesting deeper than ${MAX_DEPTH}`;

/**
 * Parses `text` into a located tree.
 *
 * Throws FormatError `LIMIT_EXCEEDED` when the text is longer than `limits.maxTextBytes`
 * characters, when alias resolutions exceed `limits.maxYamlAliases` (every node reached through
 * an alias counts as one resolution, so an alias bomb costs at most that many node visits), when
 * nesting exceeds 128 levels or nodes exceed `limits.maxEntries`; `BAD_STRUCTURE` for a cyclic
 * alias. Parser errors (`doc.errors`) are returned as problems, not thrown.
 */
export function parseYamlTree(text: string, limits: Limits): YamlTree {
  // Size first: the parser's memory use grows with the input (STYLE §5).
  checkLimit(text.length, limits.maxTextBytes, 'maxTextBytes', 0);
  // Most workflows are plain block YAML, which the direct parser reads several times faster;
  // anything else (anchors, multi-line scalars, errors …) goes through the `yaml` package.
  return parseFastYamlTree(text, limits.maxEntries) ?? parseYamlTreeFully(text, limits);
}

/**
 * parseYamlTree through the `yaml` package alone (no fast path): the reference the fast parser
 * is checked against, and the reader of everything outside its subset.
 */
export function parseYamlTreeFully(text: string, limits: Limits): YamlTree {
  checkLimit(text.length, limits.maxTextBytes, 'maxTextBytes', 0);
  checkFlowDepth(text);
  let doc: Document.Parsed;
  try {
    // uniqueKeys: false because the parser's own check compares every key with every other key
    // (quadratic: a mapping of 16,000 keys costs seconds, one of 500,000 hangs); the tree builder
    // finds duplicates with a Map instead.
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, strict: true });
  } catch (error) {
    // A RangeError (stack overflow on pathological nesting) is the only expected escape.
    throw toFormatError(error, 'LIMIT_EXCEEDED', 0);
  }
  const problems: YamlProblem[] = doc.errors.map((e) => ({
    code: e.code,
    message: e.message.split('\n')[0] ?? e.code,
    span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0]) },
  }));
  const control = CONTROL_CHARACTER.exec(text);
  if (control !== null) {
    // YAML allows no C0 control character but tab, LF and CR; readers disagree on what such a
    // file means (the `yaml` package keeps a NUL inside a scalar), so it is malformed.
    problems.push({
      code: 'CONTROL_CHARACTER',
      message: `control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} is not allowed in YAML`,
      span: { start: control.index, end: control.index + 1 },
    });
  }
  const builder = new TreeBuilder(doc, limits);
  const contents = doc.contents;
  const root = contents === null ? undefined : builder.build(contents, [], 0, false);
  problems.push(...builder.duplicates);
  problems.sort((a, b) => a.span.start - b.span.start);
  return { root, problems, scalarSpans: builder.scalarSpans };
}

/**
 * Parses every document of a multi-document YAML stream (`---` separated, as Kubernetes
 * manifests are) into located trees whose spans are offsets into the whole `text`.
 *
 * Throws FormatError `LIMIT_EXCEEDED` as parseYamlTree does (the limits count over all documents
 * together: nodes, aliases) and when the stream holds more than `limits.maxEntries` documents.
 * Parser errors are returned as problems of the document they belong to.
 */
export function parseYamlDocuments(text: string, limits: Limits): YamlTree[] {
  checkLimit(text.length, limits.maxTextBytes, 'maxTextBytes', 0);
  checkFlowDepth(text);
  let docs: Document.Parsed[] | { empty: true };
  try {
    docs = parseAllDocuments(text, {
      uniqueKeys: false,
      prettyErrors: false,
      strict: true,
    });
  } catch (error) {
    throw toFormatError(error, 'LIMIT_EXCEEDED', 0);
  }
  // parseAllDocuments returns an EmptyStream (no documents) for an empty text.
  const list = Array.isArray(docs) ? docs : [];
  checkLimit(list.length, limits.maxEntries, 'maxEntries (YAML documents)', 0);
  const out: YamlTree[] = [];
  let nodes = 0;
  let aliases = 0;
  for (const doc of list) {
    const problems: YamlProblem[] = doc.errors.map((e) => ({
      code: e.code,
      message: e.message.split('\n')[0] ?? e.code,
      span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0]) },
    }));
    // One budget for the whole stream: a thousand documents of one alias bomb each stay bounded.
    const builder = new TreeBuilder(doc, limits, nodes, aliases);
    const root = doc.contents === null ? undefined : builder.build(doc.contents, [], 0, false);
    nodes = builder.nodeCount;
    aliases = builder.aliasCount;
    problems.push(...builder.duplicates);
    problems.sort((a, b) => a.span.start - b.span.start);
    out.push({ root, problems, scalarSpans: builder.scalarSpans });
  }
  return out;
}

// C0 controls other than tab, LF and CR, and DEL (YAML 1.2 §5.1 printable characters).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Refuses text whose `[` / `{` nesting goes deeper than MAX_DEPTH before the `yaml` package sees
 * it: its lexer and composer take seconds and hundreds of MB on a 200,000-deep `[[[[…` before the
 * tree builder's own depth check could run. One linear pass; brackets inside scalars count too,
 * which over-approximates the depth (real workflows stay far below the limit: balanced `[[ … ]]`
 * in scripts open and close on one line).
 */
function checkFlowDepth(text: string): void {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      checkLimit(++depth, MAX_DEPTH, 'YAML depth', i, DEPTH_MESSAGE);
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
}

class TreeBuilder {
  readonly scalarSpans: Span[] = [];
  readonly duplicates: YamlProblem[] = [];
  private readonly resolving = new Set<YamlNode>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly limits: Limits,
    private nodes = 0,
    private aliases = 0,
  ) {}

  /** Nodes built so far (with the count the builder started from). */
  get nodeCount(): number {
    return this.nodes;
  }

  /** Alias resolutions so far (with the count the builder started from). */
  get aliasCount(): number {
    return this.aliases;
  }

  build(node: unknown, path: YPath, depth: number, viaAlias: boolean): YNode | undefined {
    const offset = rangeOf(node).start;
    checkLimit(depth, MAX_DEPTH, 'YAML depth', offset, DEPTH_MESSAGE);
    checkLimit(++this.nodes, this.limits.maxEntries, 'maxEntries (YAML nodes)', offset);
    if (viaAlias) {
      // Alias bombs: the parser's maxAliasCount guards only toJS(), so count here.
      checkLimit(++this.aliases, this.limits.maxYamlAliases, 'maxYamlAliases', offset);
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (target === undefined) return undefined;
      if (this.resolving.has(target)) {
        throw new FormatError('BAD_STRUCTURE', `alias *${node.source} refers to itself`, offset);
      }
      this.resolving.add(target);
      try {
        return this.build(target, path, depth + 1, true);
      } finally {
        this.resolving.delete(target);
      }
    }
    const range = rangeOf(node);
    if (isMap(node)) {
      const entries = new Map<string, YMapEntry>();
      // A block collection ends where its last item ends (not after trailing comments and blank
      // lines, which the `yaml` package counts in); a flow collection after its closing bracket.
      let end = range.end;
      for (const pair of node.items) {
        const keyNode = pair.key;
        if (!isScalar(keyNode)) continue;
        const name = scalarText(keyNode.value);
        if (entries.has(name)) {
          // GitHub rejects duplicate keys; other YAML readers keep the last one. Report once, at
          // the source (an alias repeats the same mapping).
          if (!viaAlias) {
            this.duplicates.push({
              code: 'DUPLICATE_KEY',
              message: `Map keys must be unique; "${name.slice(0, 80)}" is repeated`,
              span: rangeOf(keyNode),
            });
          }
          continue;
        }
        const key = this.scalar(keyNode, [...path, name], viaAlias);
        const childPath = [...path, name];
        const value =
          pair.value === null
            ? nullScalar(key.span, childPath)
            : (this.build(pair.value, childPath, depth + 1, viaAlias) ??
              nullScalar(key.span, childPath));
        entries.set(name, { key, value });
        end = isAlias(pair.value) ? rangeOf(pair.value).end : value.span.end;
      }
      return { kind: 'map', span: blockSpan(node, range, end), path, entries };
    }
    if (isSeq(node)) {
      const items: YNode[] = [];
      let end = range.end;
      node.items.forEach((item, index) => {
        const built = this.build(item, [...path, index], depth + 1, viaAlias);
        if (built !== undefined) items.push(built);
        end = isAlias(item) || built === undefined ? rangeOf(item).end : built.span.end;
      });
      return { kind: 'seq', span: blockSpan(node, range, end), path, items };
    }
    if (isScalar(node)) return this.scalar(node, path, viaAlias);
    return undefined;
  }

  private scalar(node: YamlNode, path: YPath, viaAlias: boolean): YScalar {
    const span = rangeOf(node);
    const raw = isScalar(node) ? node.value : null;
    const value =
      typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? raw : null;
    const type = isScalar(node) ? node.type : undefined;
    const block = type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED';
    if (!viaAlias && (block || type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE')) {
      this.scalarSpans.push(span);
    }
    return { kind: 'scalar', span, path, value, text: scalarText(raw), block };
  }
}

function blockSpan(node: { flow?: boolean }, range: Span, lastItemEnd: number): Span {
  return node.flow === true ? range : { start: range.start, end: lastItemEnd };
}

function rangeOf(node: unknown): Span {
  const range = (node as { range?: readonly number[] | null }).range;
  const start = range?.[0] ?? 0;
  return { start, end: Math.max(start, range?.[1] ?? start) };
}

function nullScalar(at: Span, path: YPath): YScalar {
  return {
    kind: 'scalar',
    span: { start: at.end, end: at.end },
    path,
    value: null,
    text: '',
    block: false,
  };
}

/** The entry value at `key` of `node` when it is a mapping. */
export function getNode(node: YNode | undefined, key: string): YNode | undefined {
  return node?.kind === 'map' ? node.entries.get(key)?.value : undefined;
}

/** The scalar at `key` of `node`, if that value is a scalar. */
export function getScalar(node: YNode | undefined, key: string): YScalar | undefined {
  const value = getNode(node, key);
  return value?.kind === 'scalar' ? value : undefined;
}

/** The mapping at `key` of `node`, if that value is a mapping. */
export function getMap(node: YNode | undefined, key: string): YMap | undefined {
  const value = getNode(node, key);
  return value?.kind === 'map' ? value : undefined;
}

/** Every scalar under `node` (keys excluded), in document order. */
export function scalarsUnder(node: YNode | undefined): YScalar[] {
  const out: YScalar[] = [];
  if (node !== undefined) collectScalars(node, out);
  return out;
}

// Recursion is bounded: trees are at most 128 levels deep (parseYamlTree refuses deeper ones).
function collectScalars(node: YNode, out: YScalar[]): void {
  if (node.kind === 'scalar') out.push(node);
  else if (node.kind === 'seq') for (const item of node.items) collectScalars(item, out);
  else for (const entry of node.entries.values()) collectScalars(entry.value, out);
}
