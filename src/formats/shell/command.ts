import type { ShellCommand, ShellWord } from './tokenize.js';

// Words that run the rest of the line as a command, or shell keywords before one.
const PREFIXES = new Set([
  'sudo',
  'exec',
  'nohup',
  'time',
  'then',
  'do',
  'else',
  'if',
  'while',
  'until',
  '!',
  '{',
  'command',
]);

/**
 * The program a command runs and its arguments: leading `sudo`, `env NAME=v`, `nohup`, `exec`
 * and shell keywords are skipped; the program is the base name of its path (`/usr/bin/pip3` →
 * `pip3`). Undefined when nothing is left.
 */
export function programOf(
  command: ShellCommand,
): { program: string; word: ShellWord; args: readonly ShellWord[] } | undefined {
  const words = command.words;
  let i = 0;
  while (i < words.length) {
    const value = words[i]?.value ?? '';
    if (PREFIXES.has(value)) {
      i++;
      // `sudo -u user`, `sudo -E`: skip its options too.
      while (value === 'sudo' && (words[i]?.value ?? '').startsWith('-')) {
        i += words[i]?.value === '-u' ? 2 : 1;
      }
      continue;
    }
    if (value === 'env') {
      i++;
      while (i < words.length && /^(?:-\w*|[A-Za-z_]\w*=.*)$/s.test(words[i]?.value ?? '')) i++;
      continue;
    }
    break;
  }
  const word = words[i];
  if (word === undefined) return undefined;
  const program = word.value.slice(word.value.lastIndexOf('/') + 1);
  return { program, word, args: words.slice(i + 1) };
}

/**
 * The value of an option in `args`: `--name value`, `--name=value` (and `-n value` for a short
 * alias given in `names`). Returns the value word (with the `--name=` prefix cut from its value)
 * or undefined. The last occurrence wins, as in most argument parsers.
 */
export function optionValue(
  args: readonly ShellWord[],
  names: readonly string[],
): ShellWord | undefined {
  let found: ShellWord | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === undefined) continue;
    for (const name of names) {
      if (word.value === name) {
        const next = args[i + 1];
        if (next !== undefined) found = next;
      } else if (word.value.startsWith(`${name}=`)) {
        found = { ...word, value: word.value.slice(name.length + 1) };
      }
    }
  }
  return found;
}
