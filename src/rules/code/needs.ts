import { ENV_SET_NAMES, identText, mayCarryTaint } from '../../formats/python/model.js';

/**
 * What one `code/*` rule reads of a Python model, as the names it matches (its own tables, not a
 * copy): a file whose text cannot produce any of them gives the rule nothing to report, so the
 * audit need not parse it (see {@link pythonPrefilter}).
 */
export interface PythonNeeds {
  /** Resolved dotted call names the rule reports on (`torch.load`). */
  readonly calls?: Iterable<string>;
  /** Call names the rule reports on only when an argument carries taint (`exec` of a download). */
  readonly taintedCalls?: Iterable<string>;
  /** Last parts of call names the rule reports on whatever the receiver (`from_pretrained`). */
  readonly methods?: Iterable<string>;
  /** Keyword argument names the rule reports on in any call (`trust_remote_code`). */
  readonly keywords?: Iterable<string>;
  /** The rule reads environment variables set in code (PythonModel.envSets). */
  readonly envSets?: boolean;
}

/** One way a file can give a rule something: all these identifiers occur (and maybe taint). */
interface Requirement {
  readonly words: readonly string[];
  readonly taint: boolean;
}

// Runs of ASCII name characters. An identifier token of tree-sitter's lexer (maximal munch, like
// CPython's) is such a whole run, or a suffix of one that starts with a digit (`1load` lexes as a
// number then a name); non-ASCII name characters only split runs, which can add words, never
// hide one.
const RUN = /[A-Za-z0-9_]+/g;

/**
 * The prefilter of the Python part of the code audit: false when no rule described by `needs` can
 * report anything on a Python text. Sound because of how the code model names things: a call's
 * resolved name is made of whole identifiers of the text (its callee chain, the import statement
 * that bound an alias, or the assignment `load = torch.load`), a keyword argument's name is an
 * identifier, and a value carries taint only when the text passes {@link mayCarryTaint}. Strings,
 * comments and docstrings count as mentions too, so it errs towards parsing.
 */
export function pythonPrefilter(needs: Iterable<PythonNeeds>): (text: string) => boolean {
  const requirements: Requirement[] = [];
  const add = (name: string, taint: boolean): void => {
    requirements.push({ words: name.split('.'), taint });
  };
  for (const need of needs) {
    for (const name of need.calls ?? []) add(name, false);
    for (const name of need.taintedCalls ?? []) add(name, true);
    for (const word of need.methods ?? []) add(word, false);
    for (const word of need.keywords ?? []) add(word, false);
    if (need.envSets === true) for (const name of ENV_SET_NAMES) add(name, false);
  }
  const vocabulary = new Set(requirements.flatMap((r) => r.words));
  const words = [...vocabulary];
  return (source: string): boolean => {
    // Python reads identifiers NFKC-normalised (`ｐｉｃｋｌｅ` is `pickle`), and so does the model.
    const text = identText(source);
    const found = new Set<string>();
    // `match` (strings only) is about twice as fast as `matchAll` (match objects) here.
    for (const run of text.match(RUN) ?? []) {
      if (vocabulary.has(run)) {
        found.add(run);
      } else if (run.charCodeAt(0) <= 57 /* a digit */ && /[A-Za-z_]/.test(run)) {
        for (const word of words) if (run.endsWith(word)) found.add(word);
      }
    }
    if (found.size === 0) return false;
    let taint: boolean | undefined;
    for (const r of requirements) {
      if (!r.words.every((w) => found.has(w))) continue;
      if (!r.taint) return true;
      taint ??= mayCarryTaint(text);
      if (taint) return true;
    }
    return false;
  };
}

/**
 * The identifiers whose presence in a statement can let a rule described by `needs` report on it:
 * the last part of every audited call name, the audited methods and keywords, and the last part
 * of the names that set environment variables. A resolved call name ends in its callee's last
 * identifier, or is an alias bound by a statement holding that identifier, which the slicer
 * follows (src/formats/python/slice.ts).
 */
export function pythonTriggers(needs: Iterable<PythonNeeds>): ReadonlySet<string> {
  const out = new Set<string>();
  const last = (name: string): string => name.slice(name.lastIndexOf('.') + 1);
  for (const need of needs) {
    for (const name of need.calls ?? []) out.add(last(name));
    for (const name of need.taintedCalls ?? []) out.add(last(name));
    for (const word of need.methods ?? []) out.add(last(word));
    for (const word of need.keywords ?? []) out.add(word);
    if (need.envSets === true) for (const name of ENV_SET_NAMES) out.add(last(name));
  }
  return out;
}
