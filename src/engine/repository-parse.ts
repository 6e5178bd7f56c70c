// Parsing of model-repository configs for the repository rules, shared by the folder audit
// (repository-audit.ts) and the archive handlers (a NeMo tar's model_config.yaml). No Node
// built-ins here: the handlers are bundled for the browser too.
import { isScalar, parseDocument, visit, type Document } from 'yaml';
import type { RepositoryFile } from '../rules/repository/input.js';
import { TEMPLATE_EXTENSION } from './repository-files.js';

/**
 * Parses a config's text (JSON or YAML) into a located YAML document, or returns the first parse
 * error or duplicate key. JSON is read as YAML 1.2 so that every node keeps its character range;
 * aliases are never resolved by the rules, so no alias bomb can expand.
 */
export function parseConfigText(
  text: string,
): Document | { code: string; message: string; pos: [number, number] } {
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
  const parsed = parseConfigText(text);
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
