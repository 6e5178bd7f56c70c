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

// A name run: [A-Za-z0-9_]. An identifier token of tree-sitter's lexer (maximal munch, like
// CPython's) is such a whole run, or a suffix of one that starts with a digit (`1load` lexes as a
// number then a name); non-ASCII name characters only split runs, which can add words, never
// hide one.
const RUN_CHAR = new Uint8Array(128);
const COMPLETE = 1;
const TAINT = 2;
for (let c = 0; c < 128; c++) if (/\w/.test(String.fromCharCode(c))) RUN_CHAR[c] = 1;

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
  const words = [...new Set(requirements.flatMap((r) => r.words))];
  const index = new Map(words.map((w, i) => [w, i]));
  // Each requirement as word indices, and per word the requirements naming it.
  const needed = requirements.map((r) => [...new Set(r.words.map((w) => index.get(w) ?? -1))]);
  const counts = Int32Array.from(needed, (ws) => ws.length);
  const namedBy: number[][] = words.map(() => []);
  needed.forEach((ws, r) => {
    for (const w of ws) namedBy[w]?.push(r);
  });
  // Candidates by run length and first character: most runs of a text are rejected by one read.
  const longest = Math.max(0, ...words.map((w) => w.length));
  const candidates: number[][] = Array.from({ length: (longest + 1) * 128 }, () => []);
  words.forEach((w, i) => {
    const c = w.charCodeAt(0);
    if (c < 128) candidates[w.length * 128 + c]?.push(i);
  });
  return (source: string): boolean => {
    // Python reads identifiers NFKC-normalised (`ｐｉｃｋｌｅ` is `pickle`), and so does the model.
    const text = identText(source);
    const found = new Uint8Array(words.length);
    const missing = counts.slice();
    let taintNeeded = false;
    // A word found: COMPLETE when it completes a requirement that needs no taint, TAINT when
    // it completes one that does.
    const note = (w: number): number => {
      if (found[w] === 1) return 0;
      found[w] = 1;
      let out = 0;
      for (const r of namedBy[w] ?? []) {
        const left = (missing[r] ?? 0) - 1;
        missing[r] = left;
        if (left === 0) {
          if (requirements[r]?.taint !== true) return COMPLETE;
          out = TAINT;
        }
      }
      return out;
    };
    const n = text.length;
    let k = 0;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c >= 128 || RUN_CHAR[c] === 0) {
        k++;
        continue;
      }
      const start = k;
      k++;
      while (k < n) {
        const d = text.charCodeAt(k);
        if (d >= 128 || RUN_CHAR[d] === 0) break;
        k++;
      }
      const length = k - start;
      if (c <= 57) {
        // A run that starts with a digit: any word it ends with may be a token of its own.
        let letter = false;
        for (let q = start + 1; q < k && !letter; q++) {
          const d = text.charCodeAt(q);
          letter = d > 57;
        }
        if (!letter) continue;
        for (let w = 0; w < words.length; w++) {
          const word = words[w] ?? '';
          if (word.length > length || !text.startsWith(word, k - word.length)) continue;
          const got = note(w);
          if (got === COMPLETE) return true;
          if (got === TAINT) taintNeeded = true;
        }
        continue;
      }
      if (length > longest) continue;
      for (const w of candidates[length * 128 + c] ?? []) {
        if (!text.startsWith(words[w] ?? '', start)) continue;
        const got = note(w);
        if (got === COMPLETE) return true;
        if (got === TAINT) taintNeeded = true;
      }
    }
    return taintNeeded && mayCarryTaint(text);
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
