import type { Finding } from '../core/finding.js';
import { sortFindings } from '../core/finding.js';
import type { GitHubClient } from '../github/client.js';
import { collectRepoSnapshot } from '../github/collect.js';
import type { CollectOptions } from '../github/collect.js';
import type { RepoSnapshot } from '../github/snapshot.js';
import { describeRuleFailure, type RuleFailure } from '../rules/rule-failure.js';
import { runRules } from '../rules/run-rules.js';
import { loadRulesFor } from '../rules/families.js';
import { toolVersion } from './version.js';

/** One API object (or repository file) with the findings located in it. */
export interface RepoAuditFile {
  /** `repos/OWNER/REPO/…`: the endpoint path without the API root. */
  readonly path: string;
  readonly format: 'github-api';
  readonly verdict: null;
  /** The object as indented JSON: what spans point into ('' when it could not be read). */
  readonly text: string;
  readonly size: number;
  readonly findings: readonly Finding[];
  readonly members: readonly never[];
}

/** The result of `repo audit`, in the shape the reporters read. */
export interface RepoAuditReport {
  readonly version: 1;
  readonly tool: { readonly name: string; readonly version: string };
  readonly repository: string;
  /** False when the repository itself could not be read (exit code 3). */
  readonly readable: boolean;
  readonly files: readonly RepoAuditFile[];
  readonly summary: {
    readonly files: number;
    readonly safe: 0;
    readonly suspicious: 0;
    readonly malicious: 0;
    readonly invalid: 0;
    readonly audited: 0;
    readonly findings: Readonly<Record<string, number>>;
    readonly suppressed: number;
    readonly skipped: readonly string[];
    readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
    readonly internalErrors: readonly string[];
    readonly durationMs: number;
    readonly requests: number;
  };
}

/** Runs every `repo/*` rule over a snapshot; a rule that throws is recorded, not fatal. */
export async function auditSnapshot(
  snapshot: RepoSnapshot,
  options: {
    maxPages?: number;
    durationMs?: number;
    requests?: number;
    /** Rule ids whose findings are kept but marked suppressed (`--ignore`). */
    ignore?: ReadonlySet<string>;
  } = {},
): Promise<RepoAuditReport> {
  const repoRules = await loadRulesFor('github');
  const failures: RuleFailure[] = [];
  const raw = sortFindings(
    runRules(
      'github',
      repoRules,
      snapshot,
      {
        uri: `repos/${snapshot.owner}/${snapshot.repo}`,
        unit: 'char',
        options: { maxPages: options.maxPages },
      },
      failures,
    ),
  );
  const internalErrors = failures.map(describeRuleFailure);
  const ignore = options.ignore ?? new Set<string>();
  const findings: Finding[] = raw.map((f) =>
    ignore.has(f.ruleId)
      ? { ...f, suppressed: 'config' as const, suppressionReason: `--ignore ${f.ruleId}` }
      : f,
  );
  const texts = new Map<string, string>();
  for (const read of snapshot.reads) {
    if (read.state === 'ok' && !texts.has(read.uri)) texts.set(read.uri, read.doc.text);
  }
  const byUri = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byUri.get(f.primary.uri) ?? [];
    list.push(f);
    byUri.set(f.primary.uri, list);
  }
  const files: RepoAuditFile[] = [...byUri].map(([path, list]) => {
    const text = texts.get(path) ?? '';
    return {
      path,
      format: 'github-api',
      verdict: null,
      text,
      size: text.length,
      findings: list,
      members: [],
    };
  });
  const counts: Record<string, number> = {};
  for (const f of findings) {
    if (f.suppressed === undefined) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  }
  return {
    version: 1,
    tool: { name: 'torchward', version: toolVersion() },
    repository: `${snapshot.owner}/${snapshot.repo}`,
    readable: snapshot.repository.state === 'ok',
    files,
    summary: {
      files: snapshot.reads.length,
      safe: 0,
      suspicious: 0,
      malicious: 0,
      invalid: 0,
      // `audited` counts workflow files in scan reports; the API objects are counted in `files`.
      audited: 0,
      findings: counts,
      suppressed: findings.filter((f) => f.suppressed !== undefined).length,
      skipped: [],
      // Unreadable endpoints are repo/unreadable-endpoint findings, located to the endpoint.
      unreadable: [],
      internalErrors,
      durationMs: options.durationMs ?? 0,
      requests: options.requests ?? 0,
    },
  };
}

/**
 * Reads `owner/repo` through `client` and audits it with every `repo/*` rule. Never throws for
 * what the server answers.
 */
export async function auditGitHubRepository(
  client: GitHubClient,
  owner: string,
  repo: string,
  options: CollectOptions & { ignore?: ReadonlySet<string> } = {},
): Promise<{ snapshot: RepoSnapshot; report: RepoAuditReport }> {
  const started = performance.now();
  const snapshot = await collectRepoSnapshot(client, owner, repo, options);
  const report = await auditSnapshot(snapshot, {
    maxPages: client.budget.maxPages,
    durationMs: Math.round(performance.now() - started),
    requests: client.requestCount,
    ...(options.ignore === undefined ? {} : { ignore: options.ignore }),
  });
  return { snapshot, report };
}
