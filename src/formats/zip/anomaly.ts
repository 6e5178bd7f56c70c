/**
 * Things a container reader tolerates, as its consumer does, but that a scanner must report:
 * each is a parser-disagreement technique of the bypass catalogue (reference §9.1).
 */
export type ArchiveAnomalyKind =
  /** Stored CRC-32 differs from the member's bytes (C5: torch loads it, CPython refuses). */
  | 'crc-mismatch'
  /** General-purpose flag bit 0x1 or 0x40: the member claims to be encrypted (C4). */
  | 'encrypted'
  /** Flag bit 0x20 (compressed patched data) or local/central flag disagreement (C4). */
  | 'flag-bits'
  /** The local header names the member differently from the central directory (C3). */
  | 'name-mismatch'
  /** Two members share one name; readers pick different copies (C7). */
  | 'duplicate-name'
  /** A name that escapes the extraction directory: absolute, drive letter, `..`, backslash. */
  | 'path-traversal'
  /** Sizes disagree: local vs central, or inflated length vs declared length. */
  | 'size-mismatch'
  /** A compression method other than stored (0) or deflated (8): torch's reader cannot read it. */
  | 'unsupported-method'
  /** A tar member type other than a regular file or directory (symlink, device …). */
  | 'special-member'
  /** A member that is native code (ELF, Mach-O, PE): a compiled-model bundle dlopens it. */
  | 'native-code';

export interface ArchiveAnomaly {
  readonly kind: ArchiveAnomalyKind;
  /** The member's name (central-directory name for zip). */
  readonly member: string;
  /** Byte offset of the record that shows it (central or local header, tar header). */
  readonly offset: number;
  /** A short human explanation with the values involved. */
  readonly detail: string;
}

/** The decoded view of a container that the `archive/*` rules judge. */
export interface ArchiveModel {
  readonly container: 'zip' | 'tar';
  /** Member names in directory order. */
  readonly members: readonly string[];
  readonly anomalies: readonly ArchiveAnomaly[];
}

/**
 * True when `name` would escape the directory it is extracted into: an absolute path, a Windows
 * drive or UNC prefix, or a `..` segment (split on `/` and backslash).
 */
export function isTraversalName(name: string): boolean {
  if (name.startsWith('/') || name.startsWith('\\')) return true;
  if (/^[A-Za-z]:/.test(name)) return true;
  // Windows readers split on backslashes too, so `a\..\..\x` climbs there.
  return name.split(/[/\\]/).some((segment) => segment === '..');
}
