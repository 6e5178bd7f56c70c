import type { Span } from '../core/finding.js';

/** A word of a command line with its span in the file (UTF-16 offsets). */
export interface Word {
  /** The word with quotes removed and escapes applied. */
  readonly text: string;
  readonly span: Span;
}

/** One simple command: its words up to a separator (`;`, `&&`, `||`, `|`, `&`, newline). */
export type Command = readonly Word[];

// Shell and Dockerfile lines worth reading are short; a line past this is data, not a command.
const MAX_WORDS = 100_000;

/**
 * Splits shell text into simple commands of located words. It knows what deployment scripts
 * need: single and double quotes, backslash escapes and line continuations, `#` comments and the
 * command separators; it expands nothing (variables, globs and substitutions stay as written).
 * `base` is added to every span (the offset of `text` in its file). Linear in the text length.
 *
 * A deliberately small tokenizer, kept apart so it can be unified with a fuller shell reader.
 */
export function shellCommands(text: string, base = 0): Command[] {
  const commands: Command[] = [];
  let current: Word[] = [];
  let word = '';
  let start = -1;
  let words = 0;
  const endWord = (end: number): void => {
    if (start >= 0) {
      current.push({ text: word, span: { start: base + start, end: base + end } });
      words++;
    }
    word = '';
    start = -1;
  };
  const endCommand = (): void => {
    if (current.length > 0) commands.push(current);
    current = [];
  };
  let i = 0;
  while (i < text.length && words < MAX_WORDS) {
    const c = text.charAt(i);
    if (c === '\\' && text.charAt(i + 1) === '\n') {
      i += 2;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord(i);
      i++;
      continue;
    }
    if (c === '\n' || c === ';' || c === '|' || c === '&') {
      endWord(i);
      endCommand();
      i++;
      continue;
    }
    if (c === '#' && start < 0) {
      while (i < text.length && text.charAt(i) !== '\n') i++;
      continue;
    }
    if (start < 0) start = i;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const stop = close < 0 ? text.length : close;
      word += text.slice(i + 1, stop);
      i = stop + 1;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < text.length && text.charAt(i) !== '"') {
        if (text.charAt(i) === '\\' && i + 1 < text.length) {
          const next = text.charAt(i + 1);
          if (next !== '\n') word += '"\\$`'.includes(next) ? next : `\\${next}`;
          i += 2;
          continue;
        }
        word += text.charAt(i);
        i++;
      }
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < text.length) {
      word += text.charAt(i + 1);
      i += 2;
      continue;
    }
    word += c;
    i++;
  }
  endWord(Math.min(i, text.length));
  endCommand();
  return commands;
}

/** One Dockerfile instruction: its keyword (upper case) and its arguments as commands. */
export interface DockerInstruction {
  readonly keyword: string;
  readonly span: Span;
  /** The arguments: exec form (JSON array) as one command, shell form split by shellCommands. */
  readonly commands: readonly Command[];
}

/**
 * Splits a Dockerfile into instructions, joining `\` continuations and dropping comment lines.
 * Exec form (`CMD ["a", "b"]`) becomes one command of its JSON strings; anything else is read
 * as shell text.
 */
export function dockerInstructions(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  const lines = text.split('\n');
  let offset = 0;
  let i = 0;
  while (i < lines.length) {
    const lineStart = offset;
    const line = lines[i] ?? '';
    offset += line.length + 1;
    i++;
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    // Join continuation lines (comment lines inside an instruction are skipped, as Docker does).
    let end = lineStart + line.length;
    let last = line;
    while (/\\\r?$/.test(last) && i < lines.length) {
      last = lines[i] ?? '';
      end = offset + last.length;
      offset += last.length + 1;
      i++;
    }
    const body = text.slice(lineStart, end);
    const keyword = /^\s*([A-Za-z]+)/.exec(body);
    if (keyword === null) continue;
    const argsAt = lineStart + (keyword.index + keyword[0].length);
    const args = text.slice(argsAt, end);
    out.push({
      keyword: (keyword[1] ?? '').toUpperCase(),
      span: {
        start: lineStart + keyword.index + (keyword[0].length - (keyword[1] ?? '').length),
        end,
      },
      commands: execForm(args, argsAt) ?? shellCommands(args, argsAt),
    });
  }
  return out;
}

function execForm(args: string, base: number): Command[] | undefined {
  const trimmed = args.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return undefined;
  let values: unknown;
  try {
    values = JSON.parse(trimmed.replace(/\\\r?\n/g, ''));
  } catch {
    return undefined;
  }
  if (!Array.isArray(values) || !values.every((v): v is string => typeof v === 'string')) {
    return undefined;
  }
  const words: Word[] = [];
  let from = 0;
  for (const value of values) {
    // Locate each string in the source for its span; escaped strings fall back to the array.
    const quoted = JSON.stringify(value);
    const at = args.indexOf(quoted, from);
    if (at >= 0) {
      words.push({
        text: value,
        span: { start: base + at + 1, end: base + at + quoted.length - 1 },
      });
      from = at + quoted.length;
    } else {
      words.push({ text: value, span: { start: base, end: base + args.length } });
    }
  }
  // `["sh", "-c", "script"]`: the script is shell text of its own.
  const shell = words[0]?.text;
  if (
    (shell === 'sh' || shell === 'bash' || shell === '/bin/sh' || shell === '/bin/bash') &&
    words[1]?.text === '-c'
  ) {
    const script = words[2];
    if (script !== undefined) return [words, ...shellCommands(script.text, script.span.start)];
  }
  return [words];
}
