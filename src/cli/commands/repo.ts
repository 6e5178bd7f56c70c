import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SEVERITIES, compareSeverity } from '../../core/finding.js';
import type { Severity } from '../../core/finding.js';
import type { RepoAuditReport } from '../../engine/github-audit.js';
import { renderJson } from '../../reporters/json.js';
import { renderSarif } from '../../reporters/sarif.js';
import { renderText } from '../../reporters/text.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { githubClient } from './github-options.js';

const USAGE = `Usage: torchward repo audit OWNER/REPO [options]

Reads a GitHub repository's settings through the REST API and checks them against PyTorch's
CI/CD policy: branch protection and rulesets, fork pull request approval, the default
GITHUB_TOKEN, self-hosted runners, publishing environments, secrets, release assets,
SECURITY.md and private vulnerability reporting. An endpoint the token cannot read becomes a
"could not read" finding (repo/unreadable-endpoint), never a silent pass.

Options:
      --api-url URL              REST API root (default: $GITHUB_API_URL or
                                 https://api.github.com; GitHub Enterprise: https://HOST/api/v3)
      --token-env VAR            read the token from $VAR (default: GITHUB_TOKEN); never printed
  -b, --branch NAME              a branch to check besides the default one (repeatable; default:
                                 release-like branches: release/*, releases/*, release-*, vX.Y)
  -f, --format text|json|sarif   output format (default: text)
  -o, --output FILE              write the report to FILE instead of stdout
      --fail-on SEVERITY         lowest finding severity that fails the run:
                                 info|low|medium|high|critical (default: low)
      --ignore RULE-ID           keep a repo/* rule's findings but mark them suppressed, so
                                 they do not fail the run (repeatable)
  -h, --help                     show this help

Exit codes: 0 no finding at or above --fail-on, 1 otherwise, 2 usage error,
3 the repository could not be read, 4 internal error.
`;

export const repoCommand: Command = {
  name: 'repo',
  summary:
    "Audit a GitHub repository's settings (branch protection, Actions, environments, secrets, releases)",
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(USAGE);
      return sub === undefined ? EXIT.USAGE : EXIT.OK;
    }
    if (sub !== 'audit')
      throw new UsageError(`unknown subcommand 'repo ${sub}' (expected 'repo audit')`);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        'api-url': { type: 'string' },
        'token-env': { type: 'string' },
        branch: { type: 'string', short: 'b', multiple: true, default: [] },
        format: { type: 'string', short: 'f', default: 'text' },
        output: { type: 'string', short: 'o' },
        'fail-on': { type: 'string', default: 'low' },
        ignore: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.OK;
    }
    const format = checkFormat(values.format, ['text', 'json', 'sarif']);
    const failOn = values['fail-on'];
    if (!SEVERITIES.includes(failOn as Severity)) {
      throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
    }
    if (positionals.length !== 1) throw new UsageError('expected exactly one OWNER/REPO');
    const { parseRepoSlug, checkBranchName } = await import('../../github/slug.js');
    let slug;
    let branches: string[];
    try {
      slug = parseRepoSlug(positionals[0] ?? '');
      branches = values.branch.map(checkBranchName);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { repoRules } = await import('../../rules/repo/index.js');
    for (const id of values.ignore) {
      if (!repoRules.some((r) => r.id === id))
        throw new UsageError(`--ignore: unknown repo rule '${id}'`);
    }
    const client = await githubClient(values, io);
    const { auditGitHubRepository } = await import('../../engine/github-audit.js');
    const { report } = await auditGitHubRepository(client, slug.owner, slug.repo, {
      branches,
      ignore: new Set(values.ignore),
    });
    const rendered = await render(report, format, io);
    if (values.output === undefined) io.stdout.write(rendered);
    else await writeFile(values.output, rendered);
    for (const e of report.summary.internalErrors)
      io.stderr.write(`torchward: internal error: ${e}\n`);
    if (report.summary.internalErrors.length > 0) return EXIT.INTERNAL;
    if (!report.readable) return EXIT.NO_INPUT;
    const fails = report.files.some((file) =>
      file.findings.some(
        (f) => f.suppressed === undefined && compareSeverity(f.severity, failOn as Severity) >= 0,
      ),
    );
    return fails ? EXIT.FINDINGS : EXIT.OK;
  },
};

async function render(
  report: RepoAuditReport,
  format: 'text' | 'json' | 'sarif',
  io: CliIo,
): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, (await import('../rule-descriptors.js')).ruleDescriptors());
    case 'text': {
      const color =
        io.stdout.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
      const s = report.summary;
      const head = `${report.repository}: ${s.files} API object(s) read in ${s.requests} request(s)${report.readable ? '' : ' (the repository could not be read)'}\n`;
      return head + renderText(report, { color });
    }
  }
}
