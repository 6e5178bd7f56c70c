import type { Span } from '../../core/finding.js';

/** One shell word after quote removal, with where it was written. */
export interface ShellWord {
  /** The word with quotes and backslashes removed; expansions kept as written (`$HOST`). */
  readonly value: string;
  /** UTF-16 offsets of the word as written (quotes included), in the tokenised text. */
  readonly span: Span;
  /** The word contains an expansion (`$x`, `${x}`, `$(…)`, backticks): its value is not literal. */
  readonly dynamic: boolean;
}

/** A simple command: `VAR=x cmd arg …`, split at `;`, `&`, `&&`, `||`, `|`, newlines, brackets. */
export interface ShellCommand {
  /** Words after the leading `NAME=value` assignments. */
  readonly words: readonly ShellWord[];
  /** Leading assignments (`MASTER_ADDR=0.0.0.0 torchrun …`). */
  readonly assignments: readonly { readonly name: string; readonly value: ShellWord }[];
  /** From the first word (or assignment) to the last. */
  readonly span: Span;
}

/** Bounds of one tokenisation: a command line never needs more. */
export interface ShellLimits {
  /** Most words in one command (the rest of the command is dropped). */
  readonly maxWords: number;
  /** Most commands returned. */
  readonly maxCommands: number;
}

const DEFAULT_SHELL_LIMITS: ShellLimits = { maxWords: 4096, maxCommands: 100_000 };

const ASSIGNMENT = /^[A-Za-z_]\w*=/;

/**
 * Splits POSIX shell text into simple commands and words, in one linear pass: quotes (`'…'`,
 * `"…"` with backslash escapes), backslash escapes and line continuations, comments, command
 * separators and here-documents (their bodies are skipped). Expansions are not performed: a word
 * containing one is marked `dynamic`. Keywords (`if`, `then`, `do` …) are returned as words; a
 * caller looking for a program skips them. Never throws; unterminated quotes end at the text's end.
 * `offset` is added to every span (for text embedded in a larger file).
 */
export function tokenizeShell(
  text: string,
  offset = 0,
  limits: ShellLimits = DEFAULT_SHELL_LIMITS,
): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: ShellWord[] = [];
  const heredocs: { tag: string; strip: boolean }[] = [];
  let i = 0;
  const n = text.length;
  const finish = (): void => {
    if (words.length > 0 && commands.length < limits.maxCommands) commands.push(toCommand(words));
    words = [];
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    // newline: end of command; here-document bodies follow it.
    if (c === 10) {
      finish();
      i++;
      while (heredocs.length > 0) {
        const doc = heredocs.shift();
        if (doc === undefined) break;
        i = skipHeredoc(text, i, doc.tag, doc.strip);
      }
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    // backslash-newline between words is a continuation
    if (c === 92 && text.charCodeAt(i + 1) === 10) {
      i += 2;
      continue;
    }
    if (c === 35) {
      // A comment runs to the end of the line (only at a word start, which this is).
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === 59 || c === 38 || c === 124 || c === 40 || c === 41) {
      finish();
      i++;
      continue;
    }
    if (c === 60 && text.charCodeAt(i + 1) === 60 && text.charCodeAt(i + 2) !== 60) {
      // here-document: `<<TAG`, `<<-TAG`, `<<'TAG'`
      let j = i + 2;
      const strip = text.charCodeAt(j) === 45;
      if (strip) j++;
      while (text.charCodeAt(j) === 32) j++;
      const word = readWord(text, j, offset);
      const tag = word.word.value;
      if (tag !== '' && heredocs.length < 16) heredocs.push({ tag, strip });
      i = Math.max(word.end, j + 1);
      continue;
    }
    if (c === 62 || c === 60) {
      // redirection operator: skip it and its target word
      i++;
      while (text.charCodeAt(i) === 62 || text.charCodeAt(i) === 38) i++;
      continue;
    }
    const { word, end } = readWord(text, i, offset);
    if (words.length < limits.maxWords) words.push(word);
    i = Math.max(end, i + 1);
  }
  finish();
  return commands;
}

function toCommand(words: readonly ShellWord[]): ShellCommand {
  const assignments: { name: string; value: ShellWord }[] = [];
  let k = 0;
  for (; k < words.length; k++) {
    const w = words[k];
    if (w === undefined || !ASSIGNMENT.test(w.value)) break;
    const eq = w.value.indexOf('=');
    assignments.push({
      name: w.value.slice(0, eq),
      value: { value: w.value.slice(eq + 1), span: w.span, dynamic: w.dynamic },
    });
  }
  const first = words[0];
  const last = words[words.length - 1];
  return {
    words: words.slice(k),
    assignments,
    span: { start: first?.span.start ?? 0, end: last?.span.end ?? 0 },
  };
}

const WORD_END = new Set([32, 9, 10, 13, 59, 38, 124, 40, 41, 60, 62]);

/** Reads one word at `start`; returns it and the index after it. */
function readWord(text: string, start: number, offset: number): { word: ShellWord; end: number } {
  let value = '';
  let dynamic = false;
  let i = start;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (WORD_END.has(c)) break;
    if (c === 92) {
      // backslash: escapes the next character; backslash-newline is a continuation
      if (text.charCodeAt(i + 1) === 10) {
        i += 2;
        continue;
      }
      if (i + 1 < n) value += text.charAt(i + 1);
      i += 2;
      continue;
    }
    if (c === 39) {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? n : close;
      value += text.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === 34) {
      i++;
      while (i < n && text.charCodeAt(i) !== 34) {
        const d = text.charCodeAt(i);
        if (d === 92 && i + 1 < n) {
          const next = text.charAt(i + 1);
          if (next === '\n') {
            i += 2;
            continue;
          }
          value += '$`"\\'.includes(next) ? next : `\\${next}`;
          i += 2;
          continue;
        }
        if (d === 36 || d === 96) dynamic = true;
        value += text.charAt(i);
        i++;
      }
      i++;
      continue;
    }
    if (c === 36 || c === 96) {
      dynamic = true;
      // `$(…)` and backticks may hold spaces: keep the whole substitution in the word.
      if (c === 36 && text.charCodeAt(i + 1) === 40) {
        const end = matchParen(text, i + 1);
        value += text.slice(i, end);
        i = end;
        continue;
      }
      if (c === 96) {
        const close = text.indexOf('`', i + 1);
        const end = close < 0 ? n : close + 1;
        value += text.slice(i, end);
        i = end;
        continue;
      }
    }
    value += text.charAt(i);
    i++;
  }
  return {
    word: { value, span: { start: start + offset, end: Math.min(i, n) + offset }, dynamic },
    end: i,
  };
}

/** The index after the `)` closing the `(` at `open` (or the text's end). */
function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** Skips a here-document body starting at `i`; returns the index after its closing line. */
function skipHeredoc(text: string, i: number, tag: string, strip: boolean): number {
  let at = i;
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    const lineEnd = end < 0 ? text.length : end;
    const line = text.slice(at, lineEnd);
    at = lineEnd + 1;
    if ((strip ? line.replace(/^\t+/, '') : line) === tag) return at;
  }
  return text.length;
}
