/** One line of a checksum list: a path and its expected lowercase hex SHA-256. */
export interface ChecksumEntry {
  readonly path: string;
  readonly digest: string;
  /** 1-based line number in the list. */
  readonly line: number;
}

/** A Git LFS pointer: the SHA-256 and size of the real file. */
export interface LfsPointer {
  readonly oid: string;
  readonly size: number;
}

const GNU_LINE = /^(\\)?([0-9a-fA-F]{64}) [ *](.+)$/;
const BSD_LINE = /^(\\)?SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/;
/** The first line of every Git LFS pointer (git-lfs spec v1). */
export const LFS_VERSION_LINE = 'version https://git-lfs.github.com/spec/v1';
/** Git LFS pointers are smaller than this many bytes (git-lfs spec). */
export const LFS_POINTER_MAX_BYTES = 1024;

function unescapeName(name: string): string {
  // coreutils escapes `\` as `\\` and newline as `\n` when the line starts with `\`.
  return name.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/**
 * Parses a `sha256sum` list: GNU lines `<hex>  <path>` / `<hex> *<path>` (with coreutils escaping
 * when the line starts with `\`) and BSD `SHA256 (path) = <hex>` lines. Blank lines are skipped;
 * other lines are counted in `bad`.
 */
export function parseChecksumList(text: string): { entries: ChecksumEntry[]; bad: number } {
  const entries: ChecksumEntry[] = [];
  let bad = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const gnu = GNU_LINE.exec(line);
    if (gnu !== null) {
      const name = gnu[3] ?? '';
      const path = gnu[1] === undefined ? name : unescapeName(name);
      entries.push({ path, digest: (gnu[2] ?? '').toLowerCase(), line: i + 1 });
      return;
    }
    const bsd = BSD_LINE.exec(line);
    if (bsd !== null) {
      const name = bsd[2] ?? '';
      const path = bsd[1] === undefined ? name : unescapeName(name);
      entries.push({ path, digest: (bsd[3] ?? '').toLowerCase(), line: i + 1 });
      return;
    }
    bad++;
  });
  return { entries, bad };
}

/** Formats one GNU `sha256sum` line, escaping names with `\`, newline or CR as coreutils does. */
export function formatChecksumLine(digest: string, path: string): string {
  if (!/[\\\n\r]/.test(path)) return `${digest}  ${path}\n`;
  const escaped = path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${digest}  ${escaped}\n`;
}

/** Parses a Git LFS pointer file; undefined when the text is not one. */
export function parseLfsPointer(text: string): LfsPointer | undefined {
  if (text.length >= LFS_POINTER_MAX_BYTES || !text.startsWith(`${LFS_VERSION_LINE}\n`))
    return undefined;
  let oid: string | undefined;
  let size: number | undefined;
  for (const line of text.split('\n')) {
    const o = /^oid sha256:([0-9a-f]{64})$/.exec(line);
    if (o !== null) oid = o[1];
    const s = /^size (\d{1,16})$/.exec(line);
    if (s !== null) size = Number(s[1]);
  }
  return oid === undefined || size === undefined ? undefined : { oid, size };
}
