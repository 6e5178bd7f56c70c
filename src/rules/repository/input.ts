import type { Document } from 'yaml';

/** One file of a model repository, as the `repository` rules see it. */
export interface RepositoryFile {
  /** Path relative to the repository root, '/'-separated. */
  readonly rel: string;
  /** Every file of the repository (relative, sorted), for cross-references. */
  readonly files: readonly string[];
  /** The parsed YAML or JSON document (JSON is read as YAML 1.2 to keep node ranges); undefined for other files. */
  readonly document: Document | undefined;
  /** The text of a `.jinja` template file; undefined for other files. */
  readonly text?: string | undefined;
}
