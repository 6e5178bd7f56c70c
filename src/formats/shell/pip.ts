import { programOf } from './command.js';
import type { ShellCommand, ShellWord } from './tokenize.js';

/** A `pip install` found in a command, with its arguments split into options and packages. */
export interface PipInstall {
  /** The command it is part of. */
  readonly command: ShellCommand;
  /** Options with their values (`--extra-index-url URL` is one entry; flags have no value). */
  readonly options: readonly {
    readonly name: string;
    readonly word: ShellWord;
    readonly value?: ShellWord;
  }[];
  /** Requirement arguments: package specs, URLs, paths. */
  readonly packages: readonly ShellWord[];
  /** Requirement files given with `-r`/`--requirement`. */
  readonly requirementFiles: readonly ShellWord[];
  /** `-e`/`--editable` values. */
  readonly editables: readonly ShellWord[];
}

// pip install options that take a value (pip 24 `pip install --help`).
const WITH_VALUE = new Set([
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-e',
  '--editable',
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '--trusted-host',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--src',
  '--upgrade-strategy',
  '--progress-bar',
  '--python-version',
  '--platform',
  '--implementation',
  '--abi',
  '--cache-dir',
  '--log',
  '--timeout',
  '--retries',
  '--proxy',
  '-C',
  '--config-settings',
  '--global-option',
  '--no-binary',
  '--only-binary',
  '--report',
  '--exists-action',
  '--cert',
  '--client-cert',
  '--python',
  '--index-strategy',
  '--keyring-provider',
]);

const PIP = /^pip(?:\d+(?:\.\d+)?)?$/;
const PYTHON = /^python(?:\d+(?:\.\d+)?)?$/;

/**
 * Finds `pip install …` in a command: `pip`, `pip3`, `python -m pip`, `python3.11 -m pip`,
 * `uv pip`. Returns undefined for any other command.
 */
export function findPipInstalls(command: ShellCommand): PipInstall | undefined {
  const found = programOf(command);
  if (found === undefined) return undefined;
  let rest: readonly ShellWord[];
  if (PIP.test(found.program)) rest = found.args;
  else if (PYTHON.test(found.program)) {
    const m = found.args.findIndex((w) => w.value === '-m');
    if (m < 0 || !PIP.test(found.args[m + 1]?.value ?? '')) return undefined;
    rest = found.args.slice(m + 2);
  } else if (found.program === 'uv' && found.args[0]?.value === 'pip') rest = found.args.slice(1);
  else return undefined;
  // Global options may come before the subcommand (`pip --no-cache-dir install x`).
  const sub = rest.findIndex((w) => !w.value.startsWith('-'));
  if (sub < 0 || rest[sub]?.value !== 'install') return undefined;
  const args = rest.slice(sub + 1);
  const options: { name: string; word: ShellWord; value?: ShellWord }[] = [];
  const packages: ShellWord[] = [];
  const requirementFiles: ShellWord[] = [];
  const editables: ShellWord[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === undefined) continue;
    if (word.value.startsWith('-') && word.value !== '-') {
      const eq = word.value.indexOf('=');
      const name = eq > 0 && word.value.startsWith('--') ? word.value.slice(0, eq) : word.value;
      let value: ShellWord | undefined;
      if (eq > 0 && word.value.startsWith('--'))
        value = { ...word, value: word.value.slice(eq + 1) };
      else if (WITH_VALUE.has(name)) {
        value = args[i + 1];
        i++;
      } else if (/^-[rcefi]./.test(name)) {
        // `-rrequirements.txt`: short option glued to its value.
        value = { ...word, value: word.value.slice(2) };
      }
      const short = name.slice(0, 2);
      const canonical = /^-[rcefi]./.test(name) ? short : name;
      options.push({ name: canonical, word, ...(value === undefined ? {} : { value }) });
      if (value !== undefined && (canonical === '-r' || canonical === '--requirement'))
        requirementFiles.push(value);
      if (value !== undefined && (canonical === '-e' || canonical === '--editable'))
        editables.push(value);
      continue;
    }
    packages.push(word);
  }
  return { command, options, packages, requirementFiles, editables };
}
