import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeLimits } from '../../core/limits.js';
import { LineIndex } from '../../core/line-index.js';
import type { GateResult } from '../../github/merge-gate.js';
import type { MergeRules } from '../../github/merge-rules.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { githubClient } from './github-options.js';

const USAGE = `Usage: torchward merge-check --rules FILE OWNER/REPO#PR [options]
       torchward merge-check --lint FILE [--root DIR]

Checks a pull request against PyTorch-style path-based merge rules (.github/merge_rules.yaml:
name, patterns, approved_by, mandatory_checks_name, ignore_flaky_failures). Patterns follow
trymerge: ? one character, * a run without /, ** any run, matched from the start of the path.
For each changed file it prints the rules that govern it, who may approve, and what is missing;
the latest review of each reviewer counts, approvals on an older commit are stale.

Options:
      --rules FILE               the merge rules to enforce
      --lint FILE                lint a rules file: patterns matching nothing in the tree, rules
                                 without approvers, overlapping catch-alls, bad patterns
      --root DIR                 the tree --lint matches patterns against (default: .; its git
                                 index when it is a git work tree)
      --api-url URL              REST API root (default: $GITHUB_API_URL or https://api.github.com)
      --token-env VAR            read the token from $VAR (default: GITHUB_TOKEN); never printed
  -f, --format text|json         output format (default: text)
  -h, --help                     show this help

Exit codes: 0 every changed file is covered by a satisfied rule (--lint: no finding),
1 otherwise, 2 usage error, 3 the rules file or the pull request could not be read,
4 internal error.
`;

// merge_rules.yaml files are a few tens of kilobytes.
const MAX_RULES_BYTES = 1024 * 1024;
const LIMITS = makeLimits({
  maxTextBytes: MAX_RULES_BYTES,
  maxYamlAliases: 1000,
  maxEntries: 100_000,
});
// Files --lint matches patterns against.
const MAX_TREE_FILES = 500_000;

export const mergeCheckCommand: Command = {
  name: 'merge-check',
  summary:
    'Check a pull request against path-based merge rules (merge_rules.yaml); --lint a rules file',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        rules: { type: 'string' },
        lint: { type: 'string' },
        root: { type: 'string' },
        'api-url': { type: 'string' },
        'token-env': { type: 'string' },
        format: { type: 'string', short: 'f', default: 'text' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.OK;
    }
    const format = checkFormat(values.format, ['text', 'json']);
    if (values.lint !== undefined) {
      if (values.rules !== undefined || positionals.length > 0) {
        throw new UsageError('--lint takes only the rules file (and --root)');
      }
      return lint(values.lint, resolve(io.cwd, values.root ?? '.'), format, io);
    }
    if (values.rules === undefined)
      throw new UsageError('--rules FILE (or --lint FILE) is required');
    if (positionals.length !== 1) throw new UsageError('expected exactly one OWNER/REPO#PR');
    const { parsePullRef } = await import('../../github/slug.js');
    let ref;
    try {
      ref = parsePullRef(positionals[0] ?? '');
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const parsed = await loadRules(resolve(io.cwd, values.rules), io);
    if (parsed === undefined) return EXIT.NO_INPUT;
    if (parsed.problems.length > 0) {
      writeProblems(values.rules, parsed, io);
      return EXIT.NO_INPUT;
    }
    const client = await githubClient(values, io);
    const { readPullRequest } = await import('../../github/pull.js');
    const read = await readPullRequest(client, ref.owner, ref.repo, ref.number, parsed.rules);
    if (!read.ok) {
      io.stderr.write(`torchward merge-check: ${read.reason}\n`);
      return EXIT.NO_INPUT;
    }
    for (const note of read.notes) io.stderr.write(`torchward merge-check: ${note}\n`);
    const { evaluateMergeGate } = await import('../../github/merge-gate.js');
    const result = evaluateMergeGate(parsed.rules, read.facts);
    const title = `${ref.owner}/${ref.repo}#${ref.number}`;
    io.stdout.write(
      format === 'json'
        ? renderGateJson(title, read.facts.headSha, result)
        : renderGateText(title, read.facts.headSha, read.facts.author, result),
    );
    return result.mergeable ? EXIT.OK : EXIT.FINDINGS;
  },
};

async function loadRules(path: string, io: CliIo): Promise<MergeRules | undefined> {
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_RULES_BYTES) {
        io.stderr.write(`torchward merge-check: ${path}: larger than ${MAX_RULES_BYTES} bytes\n`);
        return undefined;
      }
      const buffer = Buffer.alloc(size);
      await handle.read(buffer, 0, size, 0);
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const reason = error instanceof TypeError ? 'not UTF-8 text' : (error as Error).message;
    io.stderr.write(`torchward merge-check: cannot read ${path}: ${reason}\n`);
    return undefined;
  }
  const { parseMergeRules } = await import('../../github/merge-rules.js');
  return parseMergeRules(text, LIMITS);
}

function writeProblems(file: string, parsed: MergeRules, io: CliIo): void {
  const index = new LineIndex(parsed.text);
  for (const p of parsed.problems) {
    const { line, column } = index.position(p.span.start);
    io.stderr.write(`${file}:${line}:${column}: ${p.code}: ${p.message}\n`);
  }
  io.stderr.write(
    `torchward merge-check: ${file} has ${parsed.problems.length} problem(s); no rule was applied\n`,
  );
}

/** The text report: per file, its rules, approvers and what is missing. */
export function renderGateText(
  title: string,
  head: string,
  author: string,
  result: GateResult,
): string {
  const lines = [
    `${title} at ${head.slice(0, 12)} by ${author}: ${result.files.length} changed file(s)`,
  ];
  for (const file of result.files) {
    lines.push(`  ${file.file}`);
    if (file.rules.length === 0) lines.push('    missing  no rule covers this file');
    for (const s of file.rules) {
      const who =
        s.rule.approvedBy.length === 0
          ? 'no approval required'
          : `may approve: ${s.rule.approvedBy.map((a) => a.value).join(', ')}`;
      const detail = s.satisfied
        ? `${s.approvedBy.length > 0 ? `approved by ${s.approvedBy.join(', ')}` : 'satisfied'}${s.flaky.length > 0 ? `; flaky failures ignored: ${s.flaky.join(', ')}` : ''}`
        : `missing ${s.missing.join('; ')}`;
      const mark = s === file.governedBy ? 'governs ' : s.satisfied ? 'ok      ' : 'unmet   ';
      lines.push(`    ${mark} rule "${s.rule.name}": ${detail} (${who})`);
    }
  }
  if (result.approvals.length > 0) {
    lines.push(
      `reviews: ${result.approvals.map((a) => `${a.user} ${a.state}${a.stale ? ' (stale: given on an older commit)' : ''}`).join('; ')}`,
    );
  } else lines.push('reviews: none');
  for (const b of result.blockers) lines.push(`blocked: ${b}`);
  const uncovered = result.files.filter((f) => f.governedBy === undefined).length;
  lines.push(
    result.mergeable
      ? 'mergeable: every changed file is covered by a satisfied rule'
      : `NOT mergeable: ${uncovered} of ${result.files.length} file(s) lack a satisfied rule${result.blockers.length > 0 ? ` (${result.blockers.length} blocker(s))` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

function renderGateJson(title: string, head: string, result: GateResult): string {
  return `${JSON.stringify(
    {
      version: 1,
      pullRequest: title,
      head,
      mergeable: result.mergeable,
      blockers: result.blockers,
      approvals: result.approvals,
      files: result.files.map((f) => ({
        file: f.file,
        governedBy: f.governedBy?.rule.name ?? null,
        rules: f.rules.map((s) => ({
          name: s.rule.name,
          satisfied: s.satisfied,
          mayApprove: s.rule.approvedBy.map((a) => a.value),
          approvedBy: s.approvedBy,
          missing: s.missing,
          flakyIgnored: s.flaky,
        })),
      })),
    },
    null,
    2,
  )}\n`;
}

async function lint(
  file: string,
  root: string,
  format: 'text' | 'json',
  io: CliIo,
): Promise<number> {
  const parsed = await loadRules(resolve(io.cwd, file), io);
  if (parsed === undefined) return EXIT.NO_INPUT;
  const tree = await listTree(root);
  if (tree === undefined) {
    io.stderr.write(`torchward merge-check: cannot list the files of ${root}\n`);
    return EXIT.NO_INPUT;
  }
  const { lintMergeRules } = await import('../../github/merge-lint.js');
  const findings = lintMergeRules(parsed, tree);
  const index = new LineIndex(parsed.text);
  const located = findings.map((f) => ({ ...f, ...index.position(f.span.start) }));
  if (format === 'json') {
    io.stdout.write(
      `${JSON.stringify({ version: 1, file, treeFiles: tree.length, findings: located.map(({ code, message, line, column }) => ({ code, message, line, column })) }, null, 2)}\n`,
    );
  } else {
    for (const f of located)
      io.stdout.write(`${file}:${f.line}:${f.column}: ${f.code}: ${f.message}\n`);
    io.stdout.write(
      `${findings.length} finding(s) in ${parsed.rules.length} rule(s), matched against ${tree.length} file(s)\n`,
    );
  }
  return findings.length > 0 ? EXIT.FINDINGS : EXIT.OK;
}

/** The files of a tree: its git index when it has one (what merges touch), else a bounded walk. */
async function listTree(root: string): Promise<string[] | undefined> {
  if (existsSync(join(root, '.git'))) {
    const listed = await new Promise<string[] | undefined>((done) => {
      execFile(
        'git',
        ['-C', root, 'ls-files', '-z'],
        { maxBuffer: 256 * 1024 * 1024, timeout: 60_000 },
        (error, stdout) => {
          done(
            error === null
              ? stdout
                  .split('\0')
                  .filter((f) => f !== '')
                  .slice(0, MAX_TREE_FILES)
              : undefined,
          );
        },
      );
    });
    if (listed !== undefined) return listed;
  }
  const out: string[] = [];
  const stack = [''];
  try {
    while (stack.length > 0 && out.length < MAX_TREE_FILES) {
      const dir = stack.pop() ?? '';
      for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
        const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (entry.name !== '.git') stack.push(rel);
        } else if (entry.isFile() || entry.isSymbolicLink()) out.push(rel);
      }
    }
  } catch {
    return undefined;
  }
  return out;
}
