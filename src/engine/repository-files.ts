// Which files of a model repository the repository audit (repository-audit.ts) reads or lists. Kept
// apart from the audit so that the scan can tell, without loading the YAML parser and the rules,
// that a folder holds nothing for it (a folder of checkpoints only).

const CONFIG_EXTENSIONS = ['.json', '.yaml', '.yml'];
/** Hugging Face repositories may ship the chat template as its own file (chat_template.jinja). */
export const TEMPLATE_EXTENSION = '.jinja';

// Tokenizer vocabularies are pure data, often megabytes of JSON: no loader resolves code from
// them, and parsing them as located YAML would cost hundreds of megabytes.
const DATA_ONLY = new Set(['tokenizer.json', 'vocab.json']);

/** True for the files the repository audit reads or lists ('/'-separated path in the repository). */
export function isAuditedRepositoryFile(rel: string): boolean {
  if (DATA_ONLY.has(rel.slice(rel.lastIndexOf('/') + 1))) return false;
  return (
    rel.endsWith('.py') ||
    rel.endsWith(TEMPLATE_EXTENSION) ||
    CONFIG_EXTENSIONS.some((e) => rel.endsWith(e))
  );
}
