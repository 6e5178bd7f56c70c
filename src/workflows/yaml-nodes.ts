// The located YAML tree's node types, apart from both parsers that build it (yaml-tree.ts with the
// `yaml` package, fast-yaml.ts for the plain block subset), so neither imports the other for them.
import type { Span } from '../core/finding.js';

/** A logical YAML path: mapping keys and sequence indexes from the document root. */
export type YPath = readonly (string | number)[];

/** A scalar with its source span (UTF-16 offsets into the file text). */
export interface YScalar {
  readonly kind: 'scalar';
  readonly span: Span;
  readonly path: YPath;
  readonly value: string | number | boolean | null;
  /** The value as a string (`''` for null). */
  readonly text: string;
  /** A literal (`|`) or folded (`>`) block scalar. */
  readonly block: boolean;
}

/** One mapping entry: its key scalar and its value node. */
export interface YMapEntry {
  readonly key: YScalar;
  readonly value: YNode;
}

/** A mapping; duplicate keys keep the first entry (and are reported as problems). */
export interface YMap {
  readonly kind: 'map';
  readonly span: Span;
  readonly path: YPath;
  readonly entries: ReadonlyMap<string, YMapEntry>;
}

/** A sequence. */
export interface YSeq {
  readonly kind: 'seq';
  readonly span: Span;
  readonly path: YPath;
  readonly items: readonly YNode[];
}

/** A located YAML node; aliases are resolved and keep the span of the anchored node. */
export type YNode = YScalar | YMap | YSeq;

/** A non-fatal problem the YAML parser reported (duplicate key, bad indentation …). */
export interface YamlProblem {
  readonly code: string;
  readonly message: string;
  readonly span: Span;
}

/** The located tree of one YAML document. */
export interface YamlTree {
  readonly root: YNode | undefined;
  readonly problems: readonly YamlProblem[];
  /** Spans of multi-line scalars: a `#` inside them is content, not a comment. */
  readonly scalarSpans: readonly Span[];
}
