import { appendFile, readFile, stat, truncate } from 'node:fs/promises';

/**
 * An append-only JSONL log of answers keyed by request: `{"key": ..., "value": ...}` per line.
 * A run reads the log first and skips requests already answered, so a run stopped by a budget,
 * a crash or Ctrl-C resumes where it stopped. A torn last line (the process died mid-write) is
 * ignored and cut off the file before the next append (a line appended after it would otherwise
 * be glued to it, and the log would no longer load); any other malformed line is an error, never
 * silently skipped.
 */
export class ResumableLog<T> {
  private readonly entries = new Map<string, T>();
  private chain: Promise<void> = Promise.resolve();
  // A complete last record without its newline: the next append starts a new line first.
  private pendingNewline = false;

  private constructor(
    readonly path: string,
    private readonly validate: (value: unknown) => T,
  ) {}

  /** Opens (or creates on first append) the log at `path`, loading the answers it holds. */
  static async open<T>(
    path: string,
    validate: (value: unknown) => T,
    maxBytes = 2 * 1024 * 1024 * 1024 - 1,
  ): Promise<ResumableLog<T>> {
    const log = new ResumableLog<T>(path, validate);
    let text: string;
    try {
      const info = await stat(path);
      if (info.size > maxBytes) throw new Error(`${path}: log larger than ${maxBytes} bytes`);
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return log;
      throw error;
    }
    const lines = text.split('\n');
    // A log that ends without a newline was cut mid-write: its last line may be torn.
    const torn = !text.endsWith('\n');
    let tornLine = false;
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue;
      if (!log.load(line, i + 1, torn && i === lines.length - 1)) tornLine = true;
    }
    if (torn && tornLine) {
      const cut = text.lastIndexOf('\n') + 1;
      await truncate(path, Buffer.byteLength(text.slice(0, cut), 'utf8'));
    } else if (torn && text.length > 0) {
      log.pendingNewline = true;
    }
    return log;
  }

  /** Loads one line; false when it is the torn last line, which is dropped. */
  private load(line: string, number: number, last: boolean): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (last) return false;
      throw new Error(`${this.path}:${number}: not a JSON line`);
    }
    const { key, value } = (parsed ?? {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string') throw new Error(`${this.path}:${number}: no key`);
    let valid: T;
    try {
      valid = this.validate(value);
    } catch (error) {
      throw new Error(`${this.path}:${number}: ${(error as Error).message}`);
    }
    this.entries.set(key, valid);
    return true;
  }

  /** Every answer loaded or appended, in insertion order of their keys. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Appends one answer; appends are serialised so concurrent workers never interleave lines. */
  append(key: string, value: T): Promise<void> {
    this.entries.set(key, value);
    const line = `${this.pendingNewline ? '\n' : ''}${JSON.stringify({ key, value })}\n`;
    this.pendingNewline = false;
    this.chain = this.chain.then(() => appendFile(this.path, line));
    return this.chain;
  }
}
