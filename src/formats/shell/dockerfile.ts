import type { Span } from '../../core/finding.js';
import { tokenizeShell, type ShellCommand, type ShellWord } from './tokenize.js';

/** One Dockerfile instruction with its arguments located in the file. */
export interface DockerInstruction {
  /** Upper-cased keyword: `RUN`, `ENV`, `FROM` … */
  readonly keyword: string;
  /** The whole instruction, continuation lines included. */
  readonly span: Span;
  /** The arguments after the keyword, continuation backslash-newlines removed. */
  readonly args: string;
  /** `RUN`, `CMD`, `ENTRYPOINT` (shell or exec form, here-documents included): the commands. */
  readonly commands: readonly ShellCommand[];
  /** `ENV` and `ARG`: the variables set (`ARG` without a default has no entry). */
  readonly variables: readonly { readonly name: string; readonly value: ShellWord }[];
}

const KEYWORD = /^[ \t]*([A-Za-z]+)(?=[ \t\n\\]|$)/;
const SHELL_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT']);

/**
 * Splits a Dockerfile into instructions (comments and parser directives skipped, `\`
 * continuations joined, `RUN <<EOF` here-document bodies taken as the command's script) and
 * tokenises the shell of `RUN`/`CMD`/`ENTRYPOINT` with {@link tokenizeShell}; the exec form
 * (`["a", "b"]`) becomes one command. Spans are UTF-16 offsets into `text`. Never throws.
 */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  let at = 0;
  const n = text.length;
  while (at < n) {
    const lineEnd = indexOrEnd(text, '\n', at);
    const line = text.slice(at, lineEnd);
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      at = lineEnd + 1;
      continue;
    }
    // Join continuation lines; comment lines inside a continued instruction are dropped.
    let end = lineEnd;
    let cursor = at;
    while (endsWithContinuation(text.slice(cursor, end)) && end < n) {
      cursor = end + 1;
      end = indexOrEnd(text, '\n', cursor);
    }
    const keywordMatch = KEYWORD.exec(line);
    const keyword = keywordMatch?.[1]?.toUpperCase() ?? '';
    const argsStart = at + (keywordMatch?.[0].length ?? 0);
    const rawArgs = text.slice(argsStart, end);
    let next = end + 1;
    let commands: ShellCommand[] = [];
    if (SHELL_KEYWORDS.has(keyword)) {
      const trimmedArgs = rawArgs.trimStart();
      const lead = rawArgs.length - trimmedArgs.length;
      if (trimmedArgs.startsWith('[')) {
        commands = execForm(trimmedArgs, argsStart + lead);
      } else {
        // Blank the continuation backslashes so offsets stay those of the file.
        commands = tokenizeShell(blankContinuations(rawArgs), argsStart);
        const heredoc = /<<-?[ \t]*["']?(\w+)["']?/.exec(rawArgs);
        if (heredoc?.[1] !== undefined) {
          const bodyStart = end + 1;
          let bodyEnd = bodyStart;
          while (bodyEnd < n) {
            const e = indexOrEnd(text, '\n', bodyEnd);
            if (text.slice(bodyEnd, e).replace(/^\t+/, '') === heredoc[1]) {
              next = e + 1;
              break;
            }
            bodyEnd = e + 1;
            next = bodyEnd;
          }
          commands.push(...tokenizeShell(text.slice(bodyStart, bodyEnd), bodyStart));
        }
      }
    }
    const variables =
      keyword === 'ENV' || keyword === 'ARG' ? envVariables(rawArgs, argsStart, keyword) : [];
    out.push({
      keyword,
      span: { start: at, end: Math.min(next - 1, n) },
      args: rawArgs.replace(/\\\r?\n/g, ' ').trim(),
      commands,
      variables,
    });
    at = next;
  }
  return out;
}

function indexOrEnd(text: string, needle: string, from: number): number {
  const i = text.indexOf(needle, from);
  return i < 0 ? text.length : i;
}

function endsWithContinuation(line: string): boolean {
  return /\\[ \t\r]*$/.test(line) && !line.trimStart().startsWith('#');
}

function blankContinuations(args: string): string {
  return args
    .replace(/\\([ \t\r]*)\n/g, (m) => ' '.repeat(m.length - 1) + '\n')
    .replace(
      // A newline inside a continued instruction does not end the command.
      /\n/g,
      ' ',
    );
}

function execForm(args: string, start: number): ShellCommand[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return tokenizeShell(args, start);
  }
  if (!Array.isArray(parsed) || !parsed.every((x): x is string => typeof x === 'string')) {
    return [];
  }
  // Each element is located by searching its JSON text from the previous one onwards.
  let from = 0;
  const words = parsed.map((value) => {
    const literal = JSON.stringify(value);
    const found = args.indexOf(literal, from);
    const s = found < 0 ? from : found;
    from = found < 0 ? from : found + literal.length;
    return {
      value,
      span: { start: start + s, end: start + s + (found < 0 ? 0 : literal.length) },
      dynamic: false,
    };
  });
  // `["sh", "-c", "pip install x"]`: the script is tokenised too.
  const out: ShellCommand[] = [];
  if (words.length > 0) {
    const first = words[0];
    const last = words[words.length - 1];
    out.push({
      words,
      assignments: [],
      span: { start: first?.span.start ?? start, end: last?.span.end ?? start },
    });
  }
  const dashC = words.findIndex((w) => w.value === '-c');
  const script = dashC > 0 ? words[dashC + 1] : undefined;
  if (
    script !== undefined &&
    /^(?:\/bin\/|\/usr\/bin\/)?(?:ba|da|z)?sh$/.test(words[0]?.value ?? '')
  ) {
    out.push(...tokenizeShell(script.value, script.span.start + 1));
  }
  return out;
}

function envVariables(
  args: string,
  start: number,
  keyword: string,
): { name: string; value: ShellWord }[] {
  const commands = tokenizeShell(blankContinuations(args), start);
  const words = commands.flatMap((c) => [
    ...c.assignments.map((a) => ({ ...a.value, value: `${a.name}=${a.value.value}` })),
    ...c.words,
  ]);
  const out: { name: string; value: ShellWord }[] = [];
  // `ENV KEY value` (legacy one-variable form) versus `ENV K=V K2=V2`.
  const firstWord = words[0];
  if (keyword === 'ENV' && firstWord !== undefined && !firstWord.value.includes('=')) {
    const rest = words.slice(1);
    const last = rest[rest.length - 1];
    if (rest[0] !== undefined && last !== undefined) {
      out.push({
        name: firstWord.value,
        value: {
          value: rest.map((w) => w.value).join(' '),
          span: { start: rest[0].span.start, end: last.span.end },
          dynamic: rest.some((w) => w.dynamic),
        },
      });
    }
    return out;
  }
  for (const w of words) {
    const eq = w.value.indexOf('=');
    if (eq <= 0) continue;
    out.push({ name: w.value.slice(0, eq), value: { ...w, value: w.value.slice(eq + 1) } });
  }
  return out;
}
