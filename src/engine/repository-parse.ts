// Parsing of model-repository configs for the repository rules, shared by the folder audit
// (repository-audit.ts) and the archive handlers (a NeMo tar's model_config.yaml). No Node
// built-ins here: the handlers are bundled for the browser too.
import { Document, isScalar, Pair, parseDocument, Scalar, visit, YAMLMap, YAMLSeq } from 'yaml';
import type { Node } from 'yaml';
import { FormatError } from '../core/errors.js';
import { parseStrictJson, type JsonValue } from '../formats/json/strict-json.js';
import type { RepositoryFile } from '../rules/repository/input.js';
import { TEMPLATE_EXTENSION } from './repository-files.js';

/** A config that does not parse: its error code, message and character range. */
export interface ConfigParseError {
  readonly code: string;
  readonly message: string;
  readonly pos: [number, number];
}

/**
 * Parses a config's text into a located YAML document, or returns the first parse error or
 * duplicate key. A `.json` file (`rel`) is read by the strict JSON parser every JSON reader of
 * torchward uses (src/formats/json/strict-json.ts: RFC 8259 only, so a trailing comma or a
 * comment that YAML would accept is BAD_JSON, as Python's json.loads refuses it, while NaN and
 * Infinity, which Python reads and writes, are numbers; a repeated key is
 * BAD_STRUCTURE; nesting past 128 is LIMIT_EXCEEDED), and its value is turned into the same
 * located nodes the rules walk. Other configs are YAML; aliases are never resolved by the rules,
 * so no alias bomb can expand.
 */
export function parseConfigText(text: string, rel = ''): Document | ConfigParseError {
  if (rel.endsWith('.json')) return parseJsonConfig(text);
  // uniqueKeys: false: the parser's own duplicate check is quadratic (an 800 KB config.json
  // of 50,000 keys took 18 s); duplicateKey finds them in one pass instead.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  return doc.errors[0] ?? duplicateKey(doc) ?? doc;
}

/**
 * The repository-rule input for one config or chat template found inside an archive (a NeMo
 * `.nemo` tar's `model_config.yaml`, a zipped model repository): `rel` is the member's name,
 * `files` the archive's member names. Undefined when the text does not parse, as Python's loaders
 * would refuse it too (an archive may hold unrelated multi-document YAML).
 */
export function repositoryMemberInput(
  rel: string,
  files: readonly string[],
  text: string,
): RepositoryFile | undefined {
  if (rel.endsWith(TEMPLATE_EXTENSION)) return { rel, files, document: undefined, text };
  const parsed = parseConfigText(text, rel);
  return 'code' in parsed ? undefined : { rel, files, document: parsed, text: undefined };
}

/**
 * The first mapping key that appears twice in one mapping, as a parser-style error, in one pass
 * over the document (aliases are not followed, so an alias bomb costs nothing here).
 */
function duplicateKey(
  doc: Document,
): { code: string; message: string; pos: [number, number] } | undefined {
  let found: { code: string; message: string; pos: [number, number] } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? `s:${String(pair.key.value)}` : undefined;
        if (key === undefined) continue;
        if (seen.has(key)) {
          const range = isScalar(pair.key) ? pair.key.range : undefined;
          const start = range?.[0] ?? 0;
          found = {
            code: 'DUPLICATE_KEY',
            message: `Map keys must be unique: ${String(isScalar(pair.key) ? pair.key.value : '')}`,
            pos: [start, range?.[1] ?? start],
          };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  return found;
}

function parseJsonConfig(text: string): Document | ConfigParseError {
  let value: JsonValue;
  try {
    value = parseStrictJson(text, 0, { keys: true, nonFinite: true });
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    const at = error.offset;
    return { code: error.code, message: error.message, pos: [at, at] };
  }
  const doc = new Document();
  doc.contents = jsonNode(value);
  return doc;
}

/**
 * A strict JSON value as the located YAML nodes the repository rules read, each with the
 * character range YAML's parser would give it (strings with their quotes). Depth is bounded by the
 * JSON parser (128), so the recursion is too.
 */
function jsonNode(value: JsonValue): Node {
  const range: [number, number, number] = [value.at, value.end, value.end];
  switch (value.kind) {
    case 'object': {
      const map = new YAMLMap();
      map.flow = true;
      for (const [key, item] of value.entries) {
        const [start, end] = value.keySpans?.get(key) ?? [item.at, item.at];
        const k = new Scalar(key);
        k.type = Scalar.QUOTE_DOUBLE;
        k.range = [start, end, end];
        map.items.push(new Pair(k, jsonNode(item)));
      }
      map.range = range;
      return map;
    }
    case 'array': {
      const seq = new YAMLSeq();
      seq.flow = true;
      for (const item of value.items) seq.items.push(jsonNode(item));
      seq.range = range;
      return seq;
    }
    case 'string': {
      const s = new Scalar(value.value);
      s.type = Scalar.QUOTE_DOUBLE;
      s.range = range;
      return s;
    }
    case 'number': {
      const s = new Scalar(Number(value.text));
      s.source = value.text;
      s.range = range;
      return s;
    }
    case 'boolean': {
      const s = new Scalar(value.value);
      s.range = range;
      return s;
    }
    case 'null': {
      const s = new Scalar(null);
      s.range = range;
      return s;
    }
  }
}
