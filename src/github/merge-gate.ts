import type { MergeRule } from './merge-rules.js';
import { matchesPattern } from './merge-rules.js';

/** A submitted review, in the order GitHub lists them (oldest first). */
export interface Review {
  readonly user: string;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING. */
  readonly state: string;
  /** The head commit the review was given on (null for some old reviews). */
  readonly commitId: string | null;
}

/** One run of a check on the PR's head commit. */
export interface CheckRun {
  readonly id: number;
  readonly name: string;
  /** queued, in_progress, completed … */
  readonly status: string;
  /** success, failure, neutral, cancelled, skipped, timed_out, action_required, stale, null. */
  readonly conclusion: string | null;
}

/** Everything the gate needs to know about one pull request. */
export interface PullRequestFacts {
  readonly author: string;
  readonly headSha: string;
  readonly files: readonly string[];
  /** The file list was cut short (GitHub lists at most 3,000 files, or a page cap was hit). */
  readonly filesTruncated: boolean;
  readonly reviews: readonly Review[];
  /** `org/team` (lower case) → logins (lower case) known to be active members. */
  readonly teamMembers: ReadonlyMap<string, ReadonlySet<string>>;
  readonly checks: readonly CheckRun[];
}

/** A reviewer's standing: their latest review decides. */
export interface Approval {
  readonly user: string;
  readonly state: string;
  /** Approved on an older commit than the head: does not count. */
  readonly stale: boolean;
}

/** What one rule needs for one file, and what is missing. */
export interface RuleStatus {
  readonly rule: MergeRule;
  readonly satisfied: boolean;
  /** Approvers of this rule among current approvals. */
  readonly approvedBy: readonly string[];
  readonly missing: readonly string[];
  /** Mandatory checks that failed but passed on another attempt (ignored as flaky). */
  readonly flaky: readonly string[];
}

export interface FileStatus {
  readonly file: string;
  /** Every rule whose patterns match the file, in file order. */
  readonly rules: readonly RuleStatus[];
  /** The first satisfied rule: the one that governs the file. */
  readonly governedBy: RuleStatus | undefined;
}

export interface GateResult {
  /** True only when every touched file is covered by a satisfied rule. */
  readonly mergeable: boolean;
  readonly files: readonly FileStatus[];
  readonly approvals: readonly Approval[];
  /** Reasons that apply to the PR as a whole (no files, truncated list). */
  readonly blockers: readonly string[];
}

const PASSING = new Set(['success', 'neutral', 'skipped']);

/**
 * The merge gate as a pure function: for each changed file, the rules whose patterns match it
 * (trymerge semantics) and whether one of them is satisfied: an approval (the latest review of
 * each reviewer, on the head commit, not by the author) from a listed login or a member of a
 * listed team, and every mandatory check passing (a check name matches every run whose name
 * contains it, as trymerge does; with `ignore_flaky_failures`, a failure whose check also passed
 * on another attempt of the same head commit is ignored).
 */
export function evaluateMergeGate(rules: readonly MergeRule[], pr: PullRequestFacts): GateResult {
  const approvals = latestReviews(pr);
  const current = approvals
    .filter((a) => a.state === 'APPROVED' && !a.stale)
    .map((a) => a.user.toLowerCase());
  const statusCache = new Map<number, RuleStatus>();
  const statusOf = (rule: MergeRule): RuleStatus => {
    let status = statusCache.get(rule.index);
    if (status === undefined) {
      status = ruleStatus(rule, current, pr);
      statusCache.set(rule.index, status);
    }
    return status;
  };
  const files = pr.files.map((file): FileStatus => {
    const matching = rules
      .filter((rule) => rule.patterns.some((p) => matchesPattern(p, file)))
      .map(statusOf);
    return { file, rules: matching, governedBy: matching.find((s) => s.satisfied) };
  });
  const blockers: string[] = [];
  if (pr.files.length === 0) blockers.push('the pull request changes no files');
  if (pr.filesTruncated)
    blockers.push('the changed-file list is incomplete, so not every file could be checked');
  return {
    mergeable: blockers.length === 0 && files.every((f) => f.governedBy !== undefined),
    files,
    approvals,
    blockers,
  };
}

/** Each reviewer's latest review that is not a comment; approvals on an old head are stale. */
export function latestReviews(pr: PullRequestFacts): Approval[] {
  const latest = new Map<string, Review>();
  for (const review of pr.reviews) {
    // A comment after an approval does not withdraw it; a pending review is not submitted.
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    // The author cannot approve their own pull request.
    if (review.user.toLowerCase() === pr.author.toLowerCase()) continue;
    latest.set(review.user.toLowerCase(), review);
  }
  return [...latest.values()].map((r) => ({
    user: r.user,
    state: r.state,
    stale: r.state === 'APPROVED' && r.commitId !== pr.headSha,
  }));
}

function ruleStatus(
  rule: MergeRule,
  approvers: readonly string[],
  pr: PullRequestFacts,
): RuleStatus {
  const missing: string[] = [];
  const approvedBy: string[] = [];
  if (rule.approvedBy.length > 0) {
    for (const user of approvers) {
      const allowed = rule.approvedBy.some(({ value }) => {
        const v = value.toLowerCase();
        return v.includes('/') ? pr.teamMembers.get(v)?.has(user) === true : v === user;
      });
      if (allowed) approvedBy.push(user);
    }
    if (approvedBy.length === 0) {
      missing.push(`an approval from one of: ${rule.approvedBy.map((a) => a.value).join(', ')}`);
    }
  }
  const flaky: string[] = [];
  for (const name of rule.mandatoryChecks) {
    const runs = pr.checks.filter((c) => c.name.includes(name));
    if (runs.length === 0) {
      missing.push(`check "${name}" (not run)`);
      continue;
    }
    // The latest attempt of each distinct check decides; ids grow with every attempt.
    const byName = new Map<string, CheckRun[]>();
    for (const run of runs) byName.set(run.name, [...(byName.get(run.name) ?? []), run]);
    for (const [checkName, attempts] of byName) {
      const latest = attempts.reduce((a, b) => (b.id > a.id ? b : a));
      if (latest.status !== 'completed') {
        missing.push(`check "${checkName}" (${latest.status})`);
      } else if (!PASSING.has(latest.conclusion ?? '')) {
        const passedBefore = attempts.some(
          (a) => a.status === 'completed' && PASSING.has(a.conclusion ?? ''),
        );
        if (rule.ignoreFlakyFailures && passedBefore) flaky.push(checkName);
        else missing.push(`check "${checkName}" (${latest.conclusion ?? 'no conclusion'})`);
      }
    }
  }
  return { rule, satisfied: missing.length === 0, approvedBy, missing, flaky };
}
