import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Finding } from '../../src/core/finding.js';
import { auditGitHubRepository } from '../../src/engine/github-audit.js';
import { GitHubClient } from '../../src/github/client.js';
import type { GitHubBudget } from '../../src/github/client.js';
import { runCli } from '../helpers/cli-io.js';
import { sarifErrors } from '../helpers/sarif-schema.js';
import {
  asset,
  contentFile,
  dirEntry,
  environment,
  governedRepo,
  OWNER,
  protection,
  release,
  REPO,
  repository,
  runner,
  secret,
} from '../helpers/github-fixtures.js';
import { FakeGitHub, forbidden, paged } from '../helpers/github-server.js';

const P = `/repos/${OWNER}/${REPO}`;
const TOKEN = 'ghp_torchwardTestToken0123456789abcdefXYZ';

async function audit(
  server: FakeGitHub,
  budget: Partial<GitHubBudget> = {},
  branches: string[] = [],
): Promise<Finding[]> {
  const client = new GitHubClient({ baseUrl: server.url, token: TOKEN, budget });
  const { report } = await auditGitHubRepository(client, OWNER, REPO, { branches });
  assert.deepEqual(report.summary.internalErrors, []);
  return report.files.flatMap((f) => f.findings);
}

/** `ruleId messageId uri` of each finding, for compact assertions. */
function brief(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId} ${f.messageId} ${f.primary.uri}`);
}

describe('repo audit against a local GitHub API', () => {
  let server: FakeGitHub;
  before(async () => {
    server = await new FakeGitHub().start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.seen.length = 0;
    governedRepo(server);
  });

  it('stays silent on a well-governed repository and reads every endpoint', async () => {
    const findings = await audit(server);
    assert.deepEqual(brief(findings), []);
    for (const path of [
      P,
      `${P}/branches/main/protection`,
      `${P}/branches/release/1.0/protection`,
      `${P}/rules/branches/main`,
      `${P}/actions/permissions`,
      `${P}/actions/permissions/workflow`,
      `${P}/actions/permissions/fork-pr-contributor-approval`,
      `${P}/actions/runners`,
      `${P}/environments`,
      `${P}/environments/pypi/secrets`,
      `${P}/actions/secrets`,
      `${P}/releases`,
      `${P}/contents/SECURITY.md`,
      `${P}/contents/.github/CODEOWNERS`,
      `${P}/contents/.github/merge_rules.yaml`,
      `${P}/contents/.github/workflows/release.yml`,
      `${P}/private-vulnerability-reporting`,
    ]) {
      assert.equal(server.hits(path), 1, path);
    }
    // The feature branch is not release-like: not audited.
    assert.equal(server.hits(`${P}/branches/feature-x/protection`), 0);
    assert.ok(server.seen.every((r) => r.authorization === `token ${TOKEN}`));
    assert.ok(server.seen.every((r) => r.apiVersion === '2022-11-28'));
  });

  it('the CLI exits 0 on it, in every format, and never prints the token', async () => {
    for (const format of ['text', 'json', 'sarif']) {
      const r = await runCli(
        ['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', server.url, '-f', format],
        { GITHUB_TOKEN: TOKEN },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
      if (format === 'json') assert.equal(JSON.parse(r.stdout).version, 1);
      if (format === 'sarif') assert.equal(JSON.parse(r.stdout).version, '2.1.0');
    }
  });

  it('runs from the built binary (dist/cli/main.js) as a separate process', async () => {
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          'dist/cli/main.js',
          'repo',
          'audit',
          `${OWNER}/${REPO}`,
          '--api-url',
          server.url,
          '-f',
          'json',
        ],
        { env: { PATH: process.env.PATH, GITHUB_TOKEN: TOKEN } },
        (error, stdout) => {
          resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout });
        },
      );
    });
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(JSON.parse(result.stdout).files, []);
  });

  it('repo/branch-protection: an unprotected default branch', async () => {
    server.on(`${P}/branches/main/protection`, {
      status: 404,
      json: {
        message: 'Branch not protected',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      },
    });
    assert.deepEqual(brief(await audit(server)), [
      `repo/branch-protection unprotected repos/${OWNER}/${REPO}/branches/main/protection`,
    ]);
  });

  it('repo/branch-protection: each weak classic setting, located to its key', async () => {
    const weak = protection('main');
    server.on(`${P}/branches/main/protection`, {
      json: {
        ...weak,
        required_pull_request_reviews: {
          ...weak.required_pull_request_reviews,
          dismiss_stale_reviews: false,
        },
        enforce_admins: { url: 'x', enabled: false },
        allow_force_pushes: { enabled: true },
        allow_deletions: { enabled: true },
        restrictions: undefined,
      },
    });
    const findings = await audit(server);
    assert.deepEqual(findings.map((f) => f.messageId).sort(), [
      'adminsExempt',
      'deletions',
      'forcePushes',
      'pushesOpen',
      'staleReviews',
    ]);
    const stale = findings.find((f) => f.messageId === 'staleReviews');
    assert.deepEqual(stale?.primary.path, [
      'required_pull_request_reviews',
      'dismiss_stale_reviews',
    ]);
    assert.match(stale?.message ?? '', /Settings → Branches/);
  });

  it('repo/branch-protection: no reviews required', async () => {
    const rest: Record<string, unknown> = { ...protection('main') };
    delete rest.required_pull_request_reviews;
    server.on(`${P}/branches/main/protection`, { json: rest });
    assert.deepEqual(
      brief(await audit(server)).map((b) => b.split(' ')[1]),
      ['noReviews'],
    );
  });

  it('repo/branch-protection: a ruleset alone can protect a branch; an admin bypass is reported', async () => {
    const notProtected = {
      status: 404,
      json: { message: 'Branch not protected', documentation_url: 'https://docs.github.com/rest' },
    };
    const rules = [
      {
        type: 'deletion',
        ruleset_source_type: 'Repository',
        ruleset_source: `${OWNER}/${REPO}`,
        ruleset_id: 42,
      },
      {
        type: 'non_fast_forward',
        ruleset_source_type: 'Repository',
        ruleset_source: `${OWNER}/${REPO}`,
        ruleset_id: 42,
      },
      {
        type: 'update',
        ruleset_source_type: 'Repository',
        ruleset_source: `${OWNER}/${REPO}`,
        ruleset_id: 42,
      },
      {
        type: 'pull_request',
        parameters: {
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: true,
          require_last_push_approval: true,
          required_approving_review_count: 1,
          required_review_thread_resolution: false,
        },
        ruleset_source_type: 'Repository',
        ruleset_source: `${OWNER}/${REPO}`,
        ruleset_id: 42,
      },
    ];
    const ruleset = (bypass: unknown[]): unknown => ({
      id: 42,
      name: 'trunk',
      target: 'branch',
      source_type: 'Repository',
      source: `${OWNER}/${REPO}`,
      enforcement: 'active',
      bypass_actors: bypass,
      current_user_can_bypass: 'never',
      conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
      rules: rules.map(({ type }) => ({ type })),
    });
    server
      .on(`${P}/branches/main/protection`, notProtected)
      .on(`${P}/rules/branches/main`, paged(rules))
      .on(`${P}/rulesets/42`, {
        json: ruleset([{ actor_id: 1234, actor_type: 'Integration', bypass_mode: 'always' }]),
      });
    assert.deepEqual(brief(await audit(server)), []);
    server.on(`${P}/rulesets/42`, {
      json: ruleset([{ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' }]),
    });
    assert.deepEqual(brief(await audit(server)), [
      `repo/branch-protection adminsExempt repos/${OWNER}/${REPO}/rules/branches/main`,
    ]);
  });

  it('repo/branch-protection: --branch names the branches to check', async () => {
    server
      .on(`${P}/branches/v2.0/protection`, {
        status: 404,
        json: { message: 'Branch not protected' },
      })
      .on(`${P}/rules/branches/v2.0`, paged([]));
    const findings = await audit(server, {}, ['v2.0']);
    assert.deepEqual(brief(findings), [
      `repo/branch-protection unprotected repos/${OWNER}/${REPO}/branches/v2.0/protection`,
    ]);
    assert.equal(server.hits(`${P}/branches`), 0);
  });

  it('repo/fork-pr-approval: approval only for accounts new to GitHub', async () => {
    server.on(`${P}/actions/permissions/fork-pr-contributor-approval`, {
      json: { approval_policy: 'first_time_contributors_new_to_github' },
    });
    const [f] = await audit(server);
    assert.equal(`${f?.ruleId} ${f?.messageId}`, 'repo/fork-pr-approval newToGithub');
    assert.deepEqual(f?.primary.path, ['approval_policy']);
  });

  it('repo/default-token-permissions: write token and Actions approving PRs', async () => {
    server.on(`${P}/actions/permissions/workflow`, {
      json: { default_workflow_permissions: 'write', can_approve_pull_request_reviews: true },
    });
    assert.deepEqual(
      brief(await audit(server)).map((b) => b.split(' ')[1]),
      ['writeToken', 'canApprove'],
    );
  });

  it('repo/self-hosted-runners: a persistent runner on a public repository', async () => {
    server.on(
      `${P}/actions/runners`,
      paged([runner(11, 'gpu-box', ['linux.gpu'], false)], { key: 'runners' }),
    );
    const findings = await audit(server);
    assert.deepEqual(brief(findings), [
      `repo/self-hosted-runners persistent repos/${OWNER}/${REPO}/actions/runners`,
    ]);
    assert.deepEqual(findings[0]?.primary.path, [0]);
    assert.equal(findings[0]?.severity, 'high');
  });

  it('repo/publish-environment: any branch may deploy, no reviewers, missing or wildcard environment', async () => {
    server.on(
      `${P}/environments`,
      paged([environment('pypi', 101, { protection_rules: [], deployment_branch_policy: null })], {
        key: 'environments',
      }),
    );
    assert.deepEqual(
      brief(await audit(server))
        .map((b) => b.split(' ')[1])
        .sort(),
      ['anyBranch', 'noReviewers'],
    );

    server
      .on(
        `${P}/environments`,
        paged(
          [
            environment('pypi', 101, {
              deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
            }),
          ],
          { key: 'environments' },
        ),
      )
      .on(
        `${P}/environments/pypi/deployment-branch-policies`,
        paged([{ id: 1, node_id: 'MDE2OkdhdGVCcmFuY2hQb2xpY3kx', name: '*', type: 'branch' }], {
          key: 'branch_policies',
        }),
      );
    const wildcard = await audit(server);
    assert.deepEqual(brief(wildcard), [
      `repo/publish-environment wildcardPolicy repos/${OWNER}/${REPO}/environments/pypi/deployment-branch-policies`,
    ]);
    assert.match(wildcard[0]?.message ?? '', /release\.yml:7/);

    server.on(`${P}/environments`, paged([], { key: 'environments' }));
    assert.deepEqual(brief(await audit(server)), [
      `repo/publish-environment missing repos/${OWNER}/${REPO}/environments`,
    ]);
  });

  it('repo/upload-credentials-in-secrets: PyPI token as a repository secret, npm token in an environment', async () => {
    server
      .on(
        `${P}/actions/secrets`,
        paged([secret('CODECOV_TOKEN'), secret('PYPI_API_TOKEN')], { key: 'secrets' }),
      )
      .on(`${P}/environments/pypi/secrets`, paged([secret('NPM_TOKEN')], { key: 'secrets' }));
    const findings = await audit(server);
    assert.deepEqual(brief(findings).sort(), [
      `repo/upload-credentials-in-secrets environmentSecret repos/${OWNER}/${REPO}/environments/pypi/secrets`,
      `repo/upload-credentials-in-secrets repoSecret repos/${OWNER}/${REPO}/actions/secrets`,
    ]);
    assert.deepEqual(findings.find((f) => f.messageId === 'repoSecret')?.primary.path, [1, 'name']);
  });

  it('repo/secrets-on-persistent-runner: a repository secret used on a registered persistent runner', async () => {
    const workflow = `on: [push]\npermissions: {}\njobs:\n  stats:\n    runs-on: [self-hosted, linux.2xlarge]\n    steps:\n      - run: ./upload-stats\n        env:\n          KEY: \${{ secrets.STATS_KEY }}\n  eph:\n    runs-on: [self-hosted, linux.ephemeral.4x]\n    steps:\n      - run: ./x\n        env:\n          KEY: \${{ secrets.STATS_KEY }}\n`;
    server
      .on(P, { json: repository({ private: true, visibility: 'private' }) })
      .on(
        `${P}/actions/runners`,
        paged(
          [
            runner(1, 'box-1', ['linux.2xlarge'], false),
            runner(2, 'eph-1', ['linux.ephemeral.4x'], true),
          ],
          { key: 'runners' },
        ),
      )
      .on(`${P}/actions/secrets`, paged([secret('STATS_KEY')], { key: 'secrets' }))
      .on(`${P}/contents/.github/workflows`, { json: [dirEntry('.github/workflows/stats.yml')] })
      .on(`${P}/contents/.github/workflows/stats.yml`, {
        json: contentFile('.github/workflows/stats.yml', workflow),
      });
    const findings = await audit(server);
    assert.deepEqual(brief(findings), [
      `repo/secrets-on-persistent-runner persistent repos/${OWNER}/${REPO}/actions/secrets`,
    ]);
    assert.match(
      findings[0]?.message ?? '',
      /job `stats` \(\.github\/workflows\/stats\.yml:9\), which runs on `self-hosted, linux\.2xlarge` \(a registered self-hosted runner that is not ephemeral\)/,
    );
  });

  it('repo/release-binary-assets: a wheel and a platform archive, not the source tarball', async () => {
    server.on(
      `${P}/releases`,
      paged([
        release(5002, 'v1.1.0', [
          asset(7101, 'governed-1.1.0-cp312-cp312-manylinux_2_28_x86_64.whl', 'application/zip'),
          asset(7102, 'governed-v1.1.0-linux-x86_64.tar.gz', 'application/gzip'),
          asset(7103, 'governed-v1.1.0.tar.gz', 'application/gzip'),
          asset(7104, 'SHA256SUMS.txt', 'text/plain'),
        ]),
      ]),
    );
    const findings = await audit(server);
    assert.deepEqual(
      findings.map((f) => `${f.messageId} ${f.severity} ${f.primary.path.join('.')}`),
      ['binary high 0.assets.0.name', 'archive medium 0.assets.1.name'],
    );
  });

  it('repo/security-policy: no SECURITY.md anywhere, private reporting off', async () => {
    server
      .off(`${P}/contents/SECURITY.md`)
      .on(`${P}/private-vulnerability-reporting`, { json: { enabled: false } });
    assert.deepEqual(
      brief(await audit(server)).map((b) => b.split(' ')[1]),
      ['noPolicy', 'noPrivateReporting'],
    );
  });

  it('repo/unreadable-endpoint: a 403 per endpoint, never a silent pass', async () => {
    server
      .on(`${P}/actions/secrets`, forbidden())
      .on(`${P}/actions/permissions/workflow`, { status: 404, json: { message: 'Not Found' } });
    const findings = await audit(server);
    assert.deepEqual(brief(findings).sort(), [
      `repo/unreadable-endpoint failed repos/${OWNER}/${REPO}/actions/permissions/workflow`,
      `repo/unreadable-endpoint failed repos/${OWNER}/${REPO}/actions/secrets`,
    ]);
    assert.match(
      findings.find((f) => f.primary.uri.endsWith('secrets'))?.message ?? '',
      /^could not read GET \/repos\/\{owner\}\/\{repo\}\/actions\/secrets: 403 \(/,
    );
    const cli = await runCli(['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', server.url], {
      GITHUB_TOKEN: TOKEN,
    });
    assert.equal(cli.code, 1);
    assert.match(
      cli.stdout,
      /could not read GET \/repos\/\{owner\}\/\{repo\}\/actions\/secrets: 403/,
    );
  });

  it('--ignore keeps the findings of a rule, marked suppressed, out of the gate', async () => {
    server.on(`${P}/actions/secrets`, forbidden());
    const argv = ['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', server.url, '-f', 'json'];
    const ignored = await runCli([...argv, '--ignore', 'repo/unreadable-endpoint'], {
      GITHUB_TOKEN: TOKEN,
    });
    assert.equal(ignored.code, 0, ignored.stdout);
    const doc = JSON.parse(ignored.stdout);
    assert.equal(doc.summary.suppressed, 1);
    assert.equal(doc.files[0].findings[0].suppressed, 'config');
    const unknown = await runCli([...argv, '--ignore', 'repo/no-such-rule'], {
      GITHUB_TOKEN: TOKEN,
    });
    assert.equal(unknown.code, 2);
  });

  it('repo/unreadable-endpoint: a workflow that does not parse', async () => {
    server.on(`${P}/contents/.github/workflows/ci.yml`, {
      json: contentFile('.github/workflows/ci.yml', '- just\n- a list\n'),
    });
    assert.deepEqual(
      brief(await audit(server)).map((b) => b.split(' ')[1]),
      ['workflow'],
    );
  });

  it('follows Link pagination across pages', async () => {
    const many = Array.from({ length: 250 }, (_, i) => secret(`S_${i}`));
    server.on(`${P}/actions/secrets`, paged(many, { key: 'secrets', perPage: 100 }));
    const findings = await audit(server);
    assert.deepEqual(brief(findings), []);
    assert.equal(server.hits(`${P}/actions/secrets`), 3);
  });

  it('backs off on a primary rate limit (403, x-ratelimit-remaining: 0) and retries', async () => {
    server.on(`${P}/actions/permissions`, (_url, _req, call) =>
      call === 0
        ? {
            status: 403,
            json: {
              message: 'API rate limit exceeded for user ID 1.',
              documentation_url:
                'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            },
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)),
            },
          }
        : { json: { enabled: true, allowed_actions: 'all' } },
    );
    assert.deepEqual(brief(await audit(server)), []);
    assert.equal(server.hits(`${P}/actions/permissions`), 2);
  });

  it('backs off on a secondary rate limit (retry-after) and retries', async () => {
    server.on(`${P}/releases`, (url, req, call) =>
      call === 0
        ? {
            status: 403,
            json: {
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              documentation_url:
                'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            },
            headers: { 'retry-after': '1' },
          }
        : paged([])(url, req, call),
    );
    assert.deepEqual(brief(await audit(server)), []);
    assert.equal(server.hits(`${P}/releases`), 2);
  });

  it('gives up at once when the rate limit resets beyond the longest wait', async () => {
    server.on(`${P}/releases`, {
      status: 429,
      json: { message: 'API rate limit exceeded' },
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      },
    });
    const started = Date.now();
    assert.deepEqual(brief(await audit(server)), [
      `repo/unreadable-endpoint failed repos/${OWNER}/${REPO}/releases`,
    ]);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(server.hits(`${P}/releases`), 1);
  });
});

describe('repo audit on hostile or broken API answers', () => {
  let server: FakeGitHub;
  before(async () => {
    server = await new FakeGitHub().start();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.seen.length = 0;
    governedRepo(server);
  });

  it('malformed JSON becomes an unreadable-endpoint finding', async () => {
    server.on(`${P}/actions/permissions/workflow`, {
      raw: '{"default_workflow_permissions": "wri',
    });
    const findings = await audit(server);
    assert.deepEqual(brief(findings), [
      `repo/unreadable-endpoint failed repos/${OWNER}/${REPO}/actions/permissions/workflow`,
    ]);
    assert.match(findings[0]?.message ?? '', /MALFORMED/);
  });

  it('a truncated page of a list becomes an unreadable-endpoint finding', async () => {
    server.on(`${P}/actions/secrets`, {
      raw: '{"total_count": 3, "secrets": [{"name": "A"}, {"na',
    });
    assert.deepEqual(brief(await audit(server)), [
      `repo/unreadable-endpoint failed repos/${OWNER}/${REPO}/actions/secrets`,
    ]);
  });

  it('a transfer cut off mid-body becomes an unreadable-endpoint finding', async () => {
    server.on(`${P}/releases`, { json: [release(5003, 'v2.0.0', [])], cut: true });
    const findings = await audit(server, { maxRetries: 0 });
    assert.deepEqual(brief(findings), [
      `repo/unreadable-endpoint failed repos/${OWNER}/${REPO}/releases`,
    ]);
  });

  it('locates findings to the key in the JSON shown, and its SARIF is valid', async () => {
    const weak = protection('main');
    server.on(`${P}/branches/main/protection`, {
      json: { ...weak, allow_force_pushes: { enabled: true } },
    });
    const argv = ['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', server.url];
    const text = await runCli(argv, { GITHUB_TOKEN: TOKEN });
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      /at repos\/torchward-test\/governed\/branches\/main\/protection:\d+:3\n +\d+ \| {3}"allow_force_pushes": \{\n/,
    );
    const sarif = JSON.parse(
      (await runCli([...argv, '-f', 'sarif'], { GITHUB_TOKEN: TOKEN })).stdout,
    );
    assert.deepEqual(sarifErrors(sarif), []);
    assert.equal(sarif.runs[0].results[0].ruleId, 'repo/branch-protection');
    assert.equal(
      sarif.runs[0].results[0].locations[0].logicalLocations[0].fullyQualifiedName,
      'allow_force_pushes',
    );
  });

  it('a refused connection becomes an unreadable repository, not a crash', async () => {
    const gone = await new FakeGitHub().start();
    const url = gone.url;
    await gone.stop();
    const client = new GitHubClient({ baseUrl: url, token: TOKEN, budget: { maxRetries: 1 } });
    const { report } = await auditGitHubRepository(client, OWNER, REPO);
    assert.equal(report.readable, false);
    assert.match(report.files[0]?.findings[0]?.message ?? '', /: NETWORK \(/);
    assert.equal(client.requestCount, 2);
  });

  it('a JSON value of the wrong shape is not trusted', async () => {
    server.on(`${P}/environments`, { json: { total_count: 1, environments: 'pypi' } });
    server.on(`${P}/actions/permissions/workflow`, { json: ['write'] });
    const findings = await audit(server);
    assert.ok(
      findings.some(
        (f) => f.primary.uri.endsWith('/environments') && f.ruleId === 'repo/unreadable-endpoint',
      ),
    );
    assert.ok(!findings.some((f) => f.ruleId === 'repo/default-token-permissions'));
  });

  it('a 10,000-page pagination loop costs at most maxPages requests', async () => {
    server.on(`${P}/actions/runners`, (url) => {
      const page = Number(url.searchParams.get('page') ?? '1');
      const next = new URL(url.toString());
      next.searchParams.set('page', String(page + 1));
      return {
        json: { total_count: 1_000_000, runners: [] },
        headers: {
          link: `<${next.toString()}>; rel="next", <${url.origin}${url.pathname}?page=10000>; rel="last"`,
        },
      };
    });
    const findings = await audit(server, { maxPages: 7 });
    assert.equal(server.hits(`${P}/actions/runners`), 7);
    assert.deepEqual(brief(findings), [
      `repo/unreadable-endpoint truncated repos/${OWNER}/${REPO}/actions/runners`,
    ]);
  });

  it('the whole audit stays inside the request budget', async () => {
    const findings = await audit(server, { maxRequests: 5 });
    assert.ok(server.seen.length <= 5, String(server.seen.length));
    assert.ok(findings.some((f) => f.message.includes('request budget')));
  });

  it('refuses a Link header that points at another origin (the token never leaves the API root)', async () => {
    const evil = await new FakeGitHub().start();
    try {
      server.on(`${P}/actions/secrets`, () => ({
        json: { total_count: 2, secrets: [secret('A')] },
        headers: { link: `<${evil.url}/steal?page=2>; rel="next"` },
      }));
      const findings = await audit(server);
      assert.equal(evil.seen.length, 0);
      assert.ok(
        findings.some(
          (f) =>
            f.primary.uri.endsWith('/actions/secrets') &&
            f.message.includes('outside the API root'),
        ),
      );
    } finally {
      await evil.stop();
    }
  });

  it('a response larger than the cap is refused', async () => {
    server.on(`${P}/releases`, {
      raw: JSON.stringify([{ tag_name: 'x'.repeat(200_000), assets: [] }]),
    });
    const findings = await audit(server, { maxResponseBytes: 64 * 1024 });
    assert.deepEqual(brief(findings), [
      `repo/unreadable-endpoint failed repos/${OWNER}/${REPO}/releases`,
    ]);
    assert.match(findings[0]?.message ?? '', /BUDGET/);
  });

  it('a repository that cannot be read exits 3 and requests nothing else', async () => {
    server.on(P, { status: 404, json: { message: 'Not Found' } });
    const r = await runCli(
      ['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', server.url, '-f', 'json'],
      { GITHUB_TOKEN: TOKEN },
    );
    assert.equal(r.code, 3);
    assert.equal(server.seen.length, 1);
    assert.equal(JSON.parse(r.stdout).files[0].findings[0].ruleId, 'repo/unreadable-endpoint');
  });

  it('rejects OWNER/REPO with path traversal, bad branch names and unsafe API URLs (exit 2, no request)', async () => {
    for (const argv of [
      ['repo', 'audit', '../etc', '--api-url', server.url],
      ['repo', 'audit', `${OWNER}/..`, '--api-url', server.url],
      ['repo', 'audit', `${OWNER}/${REPO}/../../users`, '--api-url', server.url],
      ['repo', 'audit', `${OWNER}/%2e%2e`, '--api-url', server.url],
      ['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', server.url, '--branch', '../../x'],
      ['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', 'http://example.com/api/v3'],
      ['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', 'file:///etc/passwd'],
      [
        'repo',
        'audit',
        `${OWNER}/${REPO}`,
        '--api-url',
        server.url,
        '--token-env',
        'NOT_SET_ANYWHERE',
      ],
      ['repo', 'audit', `${OWNER}/${REPO}`, '--api-url', server.url, '-f', 'html'],
    ]) {
      const r = await runCli(argv, { GITHUB_TOKEN: TOKEN });
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    }
    assert.equal(server.seen.length, 0);
  });

  it('speaks to a GitHub Enterprise API root (/api/v3) and reads the token from --token-env', async () => {
    const ghe = governedRepo(await new FakeGitHub('/api/v3').start());
    try {
      const r = await runCli(
        [
          'repo',
          'audit',
          `${OWNER}/${REPO}`,
          '--api-url',
          ghe.url,
          '--token-env',
          'GHE_TOKEN',
          '-f',
          'json',
        ],
        { GHE_TOKEN: TOKEN },
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(ghe.seen.length > 10);
      assert.ok(ghe.seen.every((s) => s.authorization === `token ${TOKEN}`));
    } finally {
      await ghe.stop();
    }
  });
});
