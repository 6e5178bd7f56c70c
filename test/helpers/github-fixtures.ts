// Realistic GitHub REST responses for the fake API server. Every object is typed against GitHub's
// published OpenAPI description (@octokit/openapi-types), so a misspelt or mistyped field fails
// the build; values are made up for a test organisation (no real repository's data is copied).
import type { components } from '@octokit/openapi-types';
import type { FakeGitHub } from './github-server.js';
import { paged } from './github-server.js';

type S = components['schemas'];

export const OWNER = 'torchward-test';
export const REPO = 'governed';
const API = 'https://api.github.com';
const R = `${API}/repos/${OWNER}/${REPO}`;

/** A `simple-user` as GitHub returns it. */
export function user(login: string, id: number, type = 'User'): S['simple-user'] {
  const u = `${API}/users/${login}`;
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: u,
    html_url: `https://github.com/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type,
    site_admin: false,
    user_view_type: 'public',
  };
}

/** A team as GitHub returns it in reviewer lists. */
export function team(slug: string, id: number): S['team'] {
  return {
    id,
    node_id: `MDQ6VGVhbT${id}`,
    url: `${API}/organizations/1/team/${id}`,
    html_url: `https://github.com/orgs/${OWNER}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${API}/organizations/1/team/${id}/members{/member}`,
    repositories_url: `${API}/organizations/1/team/${id}/repos`,
    type: 'organization',
    parent: null,
  };
}

export function repository(
  overrides: Partial<S['full-repository']> = {},
): Partial<S['full-repository']> {
  return {
    id: 700123456,
    node_id: 'R_kgDOKbC1QA',
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    owner: user(OWNER, 140000001, 'Organization'),
    private: false,
    visibility: 'public',
    html_url: `https://github.com/${OWNER}/${REPO}`,
    description: 'A well-governed test repository',
    fork: false,
    url: R,
    default_branch: 'main',
    archived: false,
    disabled: false,
    has_issues: true,
    allow_forking: true,
    created_at: '2024-03-01T10:00:00Z',
    updated_at: '2026-11-30T08:00:00Z',
    pushed_at: '2026-12-01T09:12:00Z',
    ...overrides,
  };
}

/** Classic protection that does everything the policy asks. */
export function protection(branch: string): S['protected-branch'] {
  const p = `${R}/branches/${branch}/protection`;
  return {
    url: p,
    required_status_checks: {
      url: `${p}/required_status_checks`,
      strict: true,
      contexts: ['ci / test'],
      contexts_url: `${p}/required_status_checks/contexts`,
      checks: [{ context: 'ci / test', app_id: 15368 }],
    },
    required_pull_request_reviews: {
      url: `${p}/required_pull_request_reviews`,
      dismiss_stale_reviews: true,
      require_code_owner_reviews: true,
      required_approving_review_count: 1,
      require_last_push_approval: true,
    },
    required_signatures: { url: `${p}/required_signatures`, enabled: false },
    enforce_admins: { url: `${p}/enforce_admins`, enabled: true },
    required_linear_history: { enabled: true },
    allow_force_pushes: { enabled: false },
    allow_deletions: { enabled: false },
    block_creations: { enabled: false },
    required_conversation_resolution: { enabled: true },
    lock_branch: { enabled: false },
    allow_fork_syncing: { enabled: false },
    restrictions: {
      url: `${p}/restrictions`,
      users_url: `${p}/restrictions/users`,
      teams_url: `${p}/restrictions/teams`,
      apps_url: `${p}/restrictions/apps`,
      users: [],
      teams: [],
      apps: [],
    },
  };
}

export function environment(
  name: string,
  id: number,
  overrides: Partial<S['environment']> = {},
): S['environment'] {
  return {
    id,
    node_id: `EN_kwDOKbC1QM4B${id}`,
    name,
    url: `${R}/environments/${name}`,
    html_url: `https://github.com/${OWNER}/${REPO}/deployments/activity_log?environments_filter=${name}`,
    created_at: '2024-03-02T10:00:00Z',
    updated_at: '2026-10-02T10:00:00Z',
    protection_rules: [
      {
        id: id * 10 + 1,
        node_id: `GA_kwDOKbC1QM4A${id}`,
        prevent_self_review: true,
        type: 'required_reviewers',
        reviewers: [{ type: 'Team', reviewer: team('release-managers', 9000001) }],
      },
      { id: id * 10 + 2, node_id: `GA_kwDOKbC1QM4B${id}`, type: 'branch_policy' },
    ],
    deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
    ...overrides,
  };
}

export function secret(name: string): S['actions-secret'] {
  return { name, created_at: '2025-01-10T10:00:00Z', updated_at: '2025-06-10T10:00:00Z' };
}

export function runner(
  id: number,
  name: string,
  labels: string[],
  ephemeral: boolean,
): S['runner'] {
  return {
    id,
    runner_group_id: 1,
    name,
    os: 'linux',
    status: 'online',
    busy: false,
    ephemeral,
    labels: [
      { id: 1, name: 'self-hosted', type: 'read-only' },
      { id: 2, name: 'Linux', type: 'read-only' },
      { id: 3, name: 'X64', type: 'read-only' },
      ...labels.map((l, i) => ({ id: 10 + i, name: l, type: 'custom' as const })),
    ],
  };
}

export function asset(id: number, name: string, contentType: string): S['release-asset'] {
  return {
    url: `${R}/releases/assets/${id}`,
    browser_download_url: `https://github.com/${OWNER}/${REPO}/releases/download/v1.0.0/${name}`,
    id,
    node_id: `RA_kwDOKbC1QM4${id}`,
    name,
    label: '',
    state: 'uploaded',
    content_type: contentType,
    size: 123456,
    digest: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    download_count: 42,
    created_at: '2026-09-01T12:00:00Z',
    updated_at: '2026-09-01T12:00:00Z',
    uploader: user('release-bot', 140000002, 'Bot'),
  };
}

export function release(id: number, tag: string, assets: S['release-asset'][]): S['release'] {
  return {
    url: `${R}/releases/${id}`,
    html_url: `https://github.com/${OWNER}/${REPO}/releases/tag/${tag}`,
    assets_url: `${R}/releases/${id}/assets`,
    upload_url: `https://uploads.github.com/repos/${OWNER}/${REPO}/releases/${id}/assets{?name,label}`,
    tarball_url: `${R}/tarball/${tag}`,
    zipball_url: `${R}/zipball/${tag}`,
    id,
    node_id: `RE_kwDOKbC1QM4${id}`,
    tag_name: tag,
    target_commitish: 'main',
    name: tag,
    body: 'Release notes',
    draft: false,
    prerelease: false,
    immutable: false,
    created_at: '2026-09-01T11:00:00Z',
    published_at: '2026-09-01T12:00:00Z',
    author: user('release-bot', 140000002, 'Bot'),
    assets,
  };
}

/** A file as the contents API returns it (base64, wrapped at 60 characters like GitHub). */
export function contentFile(path: string, text: string): S['content-file'] {
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  const content = (b64.match(/.{1,60}/g) ?? []).join('\n') + '\n';
  const name = path.split('/').pop() ?? path;
  const sha = '3f786850e387550fdab836ed7e6dc881de23001b';
  return {
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(text),
    name,
    path,
    content,
    sha,
    url: `${R}/contents/${path}?ref=main`,
    git_url: `${R}/git/blobs/${sha}`,
    html_url: `https://github.com/${OWNER}/${REPO}/blob/main/${path}`,
    download_url: `https://raw.githubusercontent.com/${OWNER}/${REPO}/main/${path}`,
    _links: {
      self: `${R}/contents/${path}?ref=main`,
      git: `${R}/git/blobs/${sha}`,
      html: `https://github.com/${OWNER}/${REPO}/blob/main/${path}`,
    },
  };
}

/** A directory listing entry of the contents API. */
export function dirEntry(path: string): S['content-directory'][number] {
  const name = path.split('/').pop() ?? path;
  const sha = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
  return {
    type: 'file',
    size: 100,
    name,
    path,
    sha,
    url: `${R}/contents/${path}?ref=main`,
    git_url: `${R}/git/blobs/${sha}`,
    html_url: `https://github.com/${OWNER}/${REPO}/blob/main/${path}`,
    download_url: `https://raw.githubusercontent.com/${OWNER}/${REPO}/main/${path}`,
    _links: {
      self: `${R}/contents/${path}?ref=main`,
      git: `${R}/git/blobs/${sha}`,
      html: `https://github.com/${OWNER}/${REPO}/blob/main/${path}`,
    },
  };
}

export const PIN = '0123456789abcdef0123456789abcdef01234567';

/** The release workflow of the governed repository: publishes to PyPI from environment `pypi`. */
export const RELEASE_WORKFLOW = `name: release
on:
  push:
    tags: ['v*']
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-24.04
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@${PIN}
        with:
          persist-credentials: false
      - run: python -m build
      - uses: pypa/gh-action-pypi-publish@${PIN}
`;

/** The CI workflow: a repository secret on a GitHub-hosted runner (fine). */
export const CI_WORKFLOW = `name: ci
on: [pull_request]
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@${PIN}
        with:
          persist-credentials: false
      - run: pytest
        env:
          CODECOV_TOKEN: \${{ secrets.CODECOV_TOKEN }}
`;

export const SECURITY_MD =
  '# Security policy\n\nReport vulnerabilities through GitHub private vulnerability reporting.\n';

/**
 * A fake GitHub serving a repository that follows every rule (the audit stays silent).
 * Tests change single routes to make one rule fire.
 */
export function governedRepo(server: FakeGitHub): FakeGitHub {
  const p = `/repos/${OWNER}/${REPO}`;
  return server
    .on(p, { json: repository() })
    .on(
      `${p}/branches`,
      paged([
        { name: 'main', protected: true },
        { name: 'release/1.0', protected: true },
        { name: 'feature-x', protected: false },
      ]),
    )
    .on(`${p}/branches/main/protection`, { json: protection('main') })
    .on(`${p}/branches/release/1.0/protection`, { json: protection('release/1.0') })
    .on(`${p}/rules/branches/main`, paged([]))
    .on(`${p}/rules/branches/release/1.0`, paged([]))
    .on(`${p}/actions/permissions`, {
      json: {
        enabled: true,
        allowed_actions: 'selected',
        selected_actions_url: `${R}/actions/permissions/selected-actions`,
        sha_pinning_required: true,
      } satisfies S['actions-repository-permissions'],
    })
    .on(`${p}/actions/permissions/workflow`, {
      json: {
        default_workflow_permissions: 'read',
        can_approve_pull_request_reviews: false,
      } satisfies S['actions-get-default-workflow-permissions'],
    })
    .on(`${p}/actions/permissions/fork-pr-contributor-approval`, {
      json: {
        approval_policy: 'all_external_contributors',
      } satisfies S['actions-fork-pr-contributor-approval'],
    })
    .on(`${p}/actions/runners`, paged([], { key: 'runners' }))
    .on(`${p}/environments`, paged([environment('pypi', 101)], { key: 'environments' }))
    .on(`${p}/environments/pypi/secrets`, paged([], { key: 'secrets' }))
    .on(`${p}/actions/secrets`, paged([secret('CODECOV_TOKEN')], { key: 'secrets' }))
    .on(
      `${p}/releases`,
      paged([
        release(5001, 'v1.0.0', [
          asset(7001, 'governed-v1.0.0.tar.gz', 'application/gzip'),
          asset(7002, 'governed-v1.0.0.tar.gz.sha256', 'text/plain'),
        ]),
      ]),
    )
    .on(`${p}/contents/SECURITY.md`, { json: contentFile('SECURITY.md', SECURITY_MD) })
    .on(`${p}/contents/.github/CODEOWNERS`, {
      json: contentFile('.github/CODEOWNERS', '* @torchward-test/maintainers\n'),
    })
    .on(`${p}/contents/.github/workflows`, {
      json: [dirEntry('.github/workflows/ci.yml'), dirEntry('.github/workflows/release.yml')],
    })
    .on(`${p}/contents/.github/workflows/ci.yml`, {
      json: contentFile('.github/workflows/ci.yml', CI_WORKFLOW),
    })
    .on(`${p}/contents/.github/workflows/release.yml`, {
      json: contentFile('.github/workflows/release.yml', RELEASE_WORKFLOW),
    })
    .on(`${p}/private-vulnerability-reporting`, { json: { enabled: true } });
}

export const HEAD = 'c0ffee0000000000000000000000000000000001';
export const OLD_HEAD = 'c0ffee0000000000000000000000000000000000';

export function pullRequest(
  number: number,
  author: string,
  changedFiles: number,
): Partial<S['pull-request']> {
  return {
    url: `${R}/pulls/${number}`,
    id: 2000000000 + number,
    node_id: `PR_kwDOKbC1QM5${number}`,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
    number,
    state: 'open',
    locked: false,
    title: `Change ${number}`,
    user: user(author, 150000000 + number),
    body: null,
    draft: false,
    merged: false,
    mergeable: true,
    changed_files: changedFiles,
    created_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-12-02T10:00:00Z',
  };
}

export function changedFile(filename: string, previous?: string): S['diff-entry'] {
  return {
    sha: 'bbcd538c8e72b8c175046e27cc8f907076331401',
    filename,
    status: previous === undefined ? 'modified' : 'renamed',
    additions: 3,
    deletions: 1,
    changes: 4,
    blob_url: `https://github.com/${OWNER}/${REPO}/blob/${HEAD}/${filename}`,
    raw_url: `https://github.com/${OWNER}/${REPO}/raw/${HEAD}/${filename}`,
    contents_url: `${R}/contents/${filename}?ref=${HEAD}`,
    patch: '@@ -1 +1 @@',
    ...(previous === undefined ? {} : { previous_filename: previous }),
  };
}

let reviewId = 80000000;
export function review(login: string, state: string, commit: string): S['pull-request-review'] {
  reviewId++;
  return {
    id: reviewId,
    node_id: `PRR_kwDOKbC1QM6${reviewId}`,
    user: user(login, 160000000 + login.length),
    body: '',
    state,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/1#pullrequestreview-${reviewId}`,
    pull_request_url: `${R}/pulls/1`,
    _links: { html: { href: 'https://github.com/' }, pull_request: { href: `${R}/pulls/1` } },
    submitted_at: '2026-12-02T09:00:00Z',
    commit_id: commit,
    author_association: 'MEMBER',
  };
}

export function checkRun(
  id: number,
  name: string,
  conclusion: 'success' | 'failure' | null,
  status: 'completed' | 'in_progress' = 'completed',
): Partial<S['check-run']> {
  return {
    id,
    head_sha: HEAD,
    node_id: `CR_kwDOKbC1QM8${id}`,
    external_id: '',
    url: `${R}/check-runs/${id}`,
    html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}`,
    details_url: `https://github.com/${OWNER}/${REPO}/runs/${id}`,
    status,
    conclusion,
    started_at: '2026-12-02T08:00:00Z',
    completed_at: status === 'completed' ? '2026-12-02T08:30:00Z' : null,
    output: {
      title: null,
      summary: null,
      text: null,
      annotations_count: 0,
      annotations_url: `${R}/check-runs/${id}/annotations`,
    },
    name,
    check_suite: { id: 9000 },
    pull_requests: [],
  };
}

export function membership(state: 'active' | 'pending'): S['team-membership'] {
  return { url: `${API}/organizations/1/team/1/memberships/x`, role: 'member', state };
}
