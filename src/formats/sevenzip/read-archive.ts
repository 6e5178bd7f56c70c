import SevenZipImport from '7z-wasm';
import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';

/** One entry of a 7z archive, as 7-Zip lists it. */
export interface SevenZipEntry {
  readonly path: string;
  readonly size: number;
  readonly isDir: boolean;
  readonly encrypted: boolean;
}

/** What could be read from a 7z archive. */
export type SevenZipResult =
  /** The archive's headers are encrypted: nothing can be listed without the password. */
  | { readonly kind: 'encrypted-headers' }
  | {
      readonly kind: 'listed';
      readonly entries: readonly SevenZipEntry[];
      /** Extracted regular files by path ('/'-separated), encrypted entries excluded. */
      readonly files: ReadonlyMap<string, Uint8Array>;
      /** Total bytes extracted. */
      readonly extractedBytes: number;
    };

interface SevenZipModule {
  readonly FS: {
    writeFile(path: string, data: Uint8Array): void;
    readFile(path: string): Uint8Array;
    readdir(path: string): string[];
    lstat(path: string): { mode: number };
    isDir(mode: number): boolean;
    isFile(mode: number): boolean;
  };
  callMain(args: string[]): unknown;
}
type SevenZipFactory = (options: {
  print: (line: string) => void;
  printErr: (line: string) => void;
  stdin: () => null;
}) => Promise<SevenZipModule>;

// 7z-wasm is a CommonJS (UMD) module whose .d.ts declares an ES default export: depending on the
// loader the factory is the default import itself or its `default` property.
const SevenZip: SevenZipFactory =
  (SevenZipImport as unknown as { default?: SevenZipFactory }).default ??
  (SevenZipImport as unknown as SevenZipFactory);

const SIGNATURE = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
// 7z coder id of AES-256 + SHA-256 (7zFormat.txt, Methods.txt: 06F10701).
const AES_CODER = [0x06, 0xf1, 0x07, 0x01];
// A password that no real archive uses: with it 7-Zip never prompts on stdin, and encrypted
// content fails to decrypt instead of blocking.
const NO_PASSWORD = '-ptorchward-no-password';

/**
 * Runs in the worker (./worker.ts), never on the main thread, so that a deadline can stop it.
 * Lists and extracts a 7z archive with 7-Zip compiled to wasm (7z-wasm), entirely in its
 * in-memory file system (MEMFS: a fresh module per archive, never the real disk). Bounds: input
 * at most maxInputBytes, at most maxEntries entries, and the declared and the actual extracted
 * total at most `maxExtractBytes` (checked from the listing before anything is extracted).
 * Throws FormatError: BAD_MAGIC, LIMIT_EXCEEDED, BAD_STRUCTURE (7-Zip cannot open or list it).
 */
export async function readSevenZipInProcess(
  bytes: Uint8Array,
  limits: Pick<Limits, 'maxInputBytes' | 'maxEntries'>,
  maxExtractBytes: number,
): Promise<SevenZipResult> {
  checkLimit(bytes.byteLength, limits.maxInputBytes, '7z archive size', 0);
  if (!SIGNATURE.every((v, i) => bytes[i] === v))
    throw new FormatError('BAD_MAGIC', 'not a 7z archive', 0);
  const out: string[] = [];
  const sz = await SevenZip({
    print: (line) => out.push(line),
    printErr: () => undefined,
    stdin: () => null,
  });
  sz.FS.writeFile('/archive.7z', bytes);
  const listed = run(sz, ['l', '-slt', '-ba', '-bd', NO_PASSWORD, '/archive.7z']);
  if (listed !== 0) {
    // With encrypted headers 7-Zip cannot even list the names (it throws on the wrong password).
    if (hasAesCoder(bytes)) return { kind: 'encrypted-headers' };
    throw new FormatError('BAD_STRUCTURE', '7-Zip cannot list the archive', 0);
  }
  const entries = parseListing(out, limits);
  const declared = entries.reduce((n, e) => n + (e.isDir || e.encrypted ? 0 : e.size), 0);
  checkLimit(declared, maxExtractBytes, '7z declared extracted size', 0);
  out.length = 0;
  // Extraction errors (a damaged or encrypted member) leave that member out; the listing above
  // still names it, so the handler reports what could not be read.
  run(sz, ['x', '-y', '-bd', NO_PASSWORD, '-o/x', '/archive.7z']);
  const files = new Map<string, Uint8Array>();
  let extractedBytes = 0;
  const stack = ['/x'];
  while (stack.length > 0) {
    const dir = stack.pop();
    if (dir === undefined || !exists(sz, dir)) continue;
    for (const name of sz.FS.readdir(dir).sort()) {
      if (name === '.' || name === '..') continue;
      const path = `${dir}/${name}`;
      const mode = sz.FS.lstat(path).mode;
      if (sz.FS.isDir(mode)) stack.push(path);
      else if (sz.FS.isFile(mode)) {
        const data = sz.FS.readFile(path);
        extractedBytes += data.byteLength;
        // The declared sizes can lie; the real total is checked as well.
        checkLimit(extractedBytes, maxExtractBytes, '7z extracted size', 0);
        files.set(path.slice(3), data);
      }
      // Symbolic links stay links inside MEMFS and are never followed or scanned.
    }
  }
  return { kind: 'listed', entries, files, extractedBytes };
}

/** Runs 7-Zip's main; its emscripten exit handling sets process.exitCode, which is restored. */
function run(sz: SevenZipModule, args: string[]): number {
  const saved = process.exitCode;
  try {
    const rc = sz.callMain(args);
    return typeof rc === 'number' ? rc : 1;
  } catch {
    // A C++ exception escaping main (e.g. wrong password for encrypted headers) arrives as a number.
    return 1;
  } finally {
    process.exitCode = saved;
  }
}

function exists(sz: SevenZipModule, path: string): boolean {
  try {
    sz.FS.lstat(path);
    return true;
  } catch {
    return false;
  }
}

function hasAesCoder(bytes: Uint8Array): boolean {
  // The (packed) end header sits at the end of the archive; look only there.
  const tail = bytes.subarray(Math.max(0, bytes.byteLength - 4096));
  for (let i = 0; i + AES_CODER.length <= tail.byteLength; i++) {
    if (AES_CODER.every((v, j) => tail[i + j] === v)) return true;
  }
  return false;
}

/** Parses `7z l -slt -ba` output: blocks of `Key = Value` lines separated by blank lines. */
function parseListing(
  lines: readonly string[],
  limits: Pick<Limits, 'maxEntries'>,
): SevenZipEntry[] {
  const entries: SevenZipEntry[] = [];
  let current = new Map<string, string>();
  const flush = (): void => {
    const path = current.get('Path');
    if (path !== undefined) {
      checkLimit(entries.length + 1, limits.maxEntries, '7z entries', 0);
      const size = Number(current.get('Size') ?? '0');
      entries.push({
        path,
        size: Number.isSafeInteger(size) && size >= 0 ? size : Number.MAX_SAFE_INTEGER,
        isDir: (current.get('Attributes') ?? '').startsWith('D'),
        encrypted: current.get('Encrypted') === '+',
      });
    }
    current = new Map();
  };
  for (const raw of lines.join('\n').split('\n')) {
    const line = raw.trimEnd();
    if (line === '') {
      flush();
      continue;
    }
    const eq = line.indexOf(' = ');
    // The first line may still carry a progress prefix ("  0M Scan /\b\b…Path = x").
    if (eq < 0) continue;
    const head = line.slice(0, eq);
    const key = head.slice(head.lastIndexOf('\b') + 1).trim();
    current.set(key, line.slice(eq + 3));
  }
  flush();
  return entries;
}
