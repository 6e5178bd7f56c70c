import type { GitHubClient } from './client.js';
import type { CheckRun, PullRequestFacts, Review } from './merge-gate.js';
import type { MergeRule } from './merge-rules.js';
import { matchesPattern } from './merge-rules.js';
import { field, isObject, num, str } from './snapshot.js';

/** The facts of a pull request, or why they could not be read. */
export type PullRead =
  | { readonly ok: true; readonly facts: PullRequestFacts; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

// GitHub lists at most 3,000 changed files (30 pages of 100).
const FILE_PAGES = 30;
// Team-membership lookups: teams named by the rules that apply × approving reviewers.
const MAX_MEMBERSHIP_LOOKUPS = 200;

/**
 * Reads a pull request's changed files, reviews, the team memberships of its approvers for the
 * teams the applicable rules name, and the check runs of its head commit. Never throws for what
 * the server answers.
 */
export async function readPullRequest(
  client: GitHubClient,
  owner: string,
  repo: string,
  number: number,
  rules: readonly MergeRule[],
): Promise<PullRead> {
  const base = { owner, repo, pull_number: number };
  const pr = await client.get('/repos/{owner}/{repo}/pulls/{pull_number}', base);
  if (!pr.ok)
    return {
      ok: false,
      reason: `could not read the pull request: ${pr.status ?? pr.code} ${pr.reason}`,
    };
  const headSha = str(field(pr.data, 'head'), 'sha');
  const author = str(field(pr.data, 'user'), 'login');
  if (headSha === undefined || !/^[0-9a-f]{40}$/.test(headSha) || author === undefined) {
    return { ok: false, reason: 'the pull request response has no head commit or author' };
  }
  const filesRead = await client.list(
    '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    base,
    FILE_PAGES,
  );
  if (!filesRead.ok)
    return {
      ok: false,
      reason: `could not read the changed files: ${filesRead.status ?? filesRead.code} ${filesRead.reason}`,
    };
  const files: string[] = [];
  for (const item of filesRead.data) {
    const name = str(item, 'filename');
    if (name === undefined) return { ok: false, reason: 'a changed-file entry has no filename' };
    files.push(name);
    // A rename moves code out of a path as well as into one: the old path must be covered too.
    const previous = str(item, 'previous_filename');
    if (previous !== undefined && previous !== name) files.push(previous);
  }
  const changedFiles = num(pr.data, 'changed_files');
  const reviewsRead = await client.list('/repos/{owner}/{repo}/pulls/{pull_number}/reviews', base);
  if (!reviewsRead.ok)
    return {
      ok: false,
      reason: `could not read the reviews: ${reviewsRead.status ?? reviewsRead.code} ${reviewsRead.reason}`,
    };
  const reviews: Review[] = [];
  for (const item of reviewsRead.data) {
    const user = str(field(item, 'user'), 'login');
    const state = str(item, 'state');
    if (user === undefined || state === undefined) continue;
    const commit = field(item, 'commit_id');
    reviews.push({ user, state, commitId: typeof commit === 'string' ? commit : null });
  }
  const notes: string[] = [];
  if (reviewsRead.truncated)
    notes.push('the review list was cut at the page cap; later reviews were not read');
  // Team membership: only for teams of rules that apply to a changed file, only for approvers.
  const teams = new Set<string>();
  for (const rule of rules) {
    if (!files.some((f) => rule.patterns.some((p) => matchesPattern(p, f)))) continue;
    for (const a of rule.approvedBy) if (a.value.includes('/')) teams.add(a.value.toLowerCase());
  }
  const approvers = [
    ...new Set(reviews.filter((r) => r.state === 'APPROVED').map((r) => r.user.toLowerCase())),
  ];
  const teamMembers = new Map<string, Set<string>>();
  let lookups = 0;
  for (const team of teams) {
    const [org = '', slug = ''] = team.split('/');
    const members = new Set<string>();
    for (const username of approvers) {
      if (++lookups > MAX_MEMBERSHIP_LOOKUPS) {
        notes.push(`team membership lookups capped at ${MAX_MEMBERSHIP_LOOKUPS}`);
        break;
      }
      const m = await client.get('/orgs/{org}/teams/{team_slug}/memberships/{username}', {
        org,
        team_slug: slug,
        username,
      });
      if (m.ok && str(m.data, 'state') === 'active') members.add(username);
      else if (!m.ok && m.status !== 404)
        notes.push(
          `could not read membership of ${username} in ${team}: ${m.status ?? m.code} ${m.reason}`,
        );
    }
    teamMembers.set(team, members);
  }
  const checksRead = await client.list('/repos/{owner}/{repo}/commits/{ref}/check-runs', {
    owner,
    repo,
    ref: headSha,
    filter: 'all',
  });
  if (!checksRead.ok)
    return {
      ok: false,
      reason: `could not read the check runs: ${checksRead.status ?? checksRead.code} ${checksRead.reason}`,
    };
  const checks: CheckRun[] = [];
  for (const item of checksRead.data) {
    const id = num(item, 'id');
    const name = str(item, 'name');
    const status = str(item, 'status');
    const conclusion =
      isObject(item) && typeof item.conclusion === 'string' ? item.conclusion : null;
    if (id === undefined || name === undefined || status === undefined) continue;
    checks.push({ id, name, status, conclusion });
  }
  if (checksRead.truncated) notes.push('the check-run list was cut at the page cap');
  return {
    ok: true,
    facts: {
      author,
      headSha,
      files,
      filesTruncated:
        filesRead.truncated || (changedFiles !== undefined && changedFiles > filesRead.data.length),
      reviews,
      teamMembers,
      checks,
    },
    notes,
  };
}
