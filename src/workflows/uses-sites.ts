import type { Step, WorkflowModel } from './model.js';
import type { YScalar } from './yaml-tree.js';

/** One `uses:` in a file: a job's reusable-workflow call or a step's action. */
export interface UsesSite {
  readonly scalar: YScalar;
  readonly step: Step | undefined;
}

/** Every `uses:` of a workflow or composite action, in source order of jobs then steps. */
export function usesSites(workflow: WorkflowModel): UsesSite[] {
  const out: UsesSite[] = [];
  for (const job of workflow.jobs) {
    if (job.uses !== undefined) out.push({ scalar: job.uses, step: undefined });
    for (const step of job.steps) {
      if (step.uses !== undefined) out.push({ scalar: step.uses, step });
    }
  }
  return out;
}

/**
 * The comment after a scalar on its own line (`uses: x@sha # v4.2.2` → `v4.2.2`), trimmed;
 * undefined when the line has none. Only a `#` after whitespace starts a YAML comment.
 */
export function trailingComment(text: string, scalar: YScalar): string | undefined {
  const lineEnd = text.indexOf('\n', scalar.span.end);
  const rest = text.slice(scalar.span.end, lineEnd < 0 ? text.length : lineEnd);
  const m = /^[^\S\n]*(?:["'][^\S\n]*)?#(.*)$/.exec(rest);
  return m === null ? undefined : (m[1] ?? '').trim();
}

/** Words of shell commands in a script: split at newlines, `;`, `&&`, `||` and `|`. */
export function shellCommands(script: string): string[][] {
  const out: string[][] = [];
  // Line continuations join lines; comments end at the line's end.
  const joined = script.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split(/\r?\n/)) {
    // (The tests before the regular expressions only skip work: most lines have neither.)
    const code = line.includes('#') ? line.replace(/(^|\s)#.*$/, '$1') : line;
    for (const part of /[;&|]/.test(code) ? code.split(/;|&&|\|\||\|/) : [code]) {
      const words = part
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '');
      // `sudo`, `env`, and VAR=value prefixes do not change which program runs.
      while (words.length > 0 && /^(?:sudo|env|[A-Za-z_][A-Za-z0-9_]*=\S*)$/.test(words[0] ?? '')) {
        words.shift();
      }
      if (words.length > 0) out.push(words);
    }
  }
  return out;
}
