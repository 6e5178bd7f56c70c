import { parseArgs } from 'node:util';
import type { Rule } from '../../rules/define-rule.js';
import { ALL_RULES } from '../../rules/registry.js';
import { ruleDescriptors } from '../rule-descriptors.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';

const HELP = `Usage: torchward rules [options]

Lists every rule torchward runs (all families): id, severity, confidence, summary, documentation
page and the equivalent checks of peer tools (zizmor audit names).

Options:
  -f, --format text|json   output format (default text)
  --family NAME            only the rules of one family (ci, pickle, torch ...)
  -o, --output FILE        write the list to FILE
  -h, --help               show this help

Exit codes: 0 ok, 2 usage error (including an unknown family).
`;

/** One rule as `torchward rules --format json` lists it (a stable, versioned shape). */
export interface RuleListing {
  readonly id: string;
  readonly family: string;
  readonly severity: string;
  readonly confidence: string;
  readonly summary: string;
  readonly policy: string;
  /** Repository-relative path of the rule's page (docs/rules/<id>.md). */
  readonly docs: string;
  /** The page's web address, when package.json names a GitHub repository. */
  readonly docsUrl?: string;
  /** Runs only with `scan --pedantic` (a code-smell check). */
  readonly pedantic: boolean;
  /** Peer-tool equivalents; `zizmor: []` when zizmor has none (or audits no such input). */
  readonly equivalents: { readonly zizmor: readonly string[] };
}

/** The listing of `rules`, in registry (id) order. */
export function listRules(rules: readonly Rule[] = ALL_RULES): RuleListing[] {
  const urls = new Map(ruleDescriptors().map((d) => [d.id, d.helpUri]));
  return rules.map((r) => {
    const url = urls.get(r.id);
    return {
      id: r.id,
      family: r.id.split('/')[0] ?? '',
      severity: r.severity,
      confidence: r.confidence,
      summary: r.title,
      policy: r.policy,
      docs: r.docs,
      ...(url === undefined ? {} : { docsUrl: url }),
      pedantic: r.pedantic === true,
      equivalents: { zizmor: [...(r.equivalents?.zizmor ?? [])] },
    };
  });
}

/** `torchward rules`: the rule catalogue, for people and for tooling that maps peer ids. */
export const rulesCommand: Command = {
  name: 'rules',
  summary: 'List every rule: id, severity, summary, docs page and zizmor equivalents',
  run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        family: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return Promise.resolve(EXIT.OK);
    }
    if (positionals.length > 0) throw new UsageError('rules takes no positional arguments');
    const format = checkFormat(values.format, ['text', 'json']);
    let listing = listRules();
    const family = values.family;
    if (family !== undefined) {
      const families = [...new Set(listing.map((r) => r.family))];
      if (!families.includes(family)) {
        throw new UsageError(`--family must be one of ${families.join(', ')}, not '${family}'`);
      }
      listing = listing.filter((r) => r.family === family);
    }
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify({ version: 1, rules: listing }, null, 2)}\n`);
      return Promise.resolve(EXIT.OK);
    }
    const idWidth = Math.max(...listing.map((r) => r.id.length));
    for (const r of listing) {
      const zizmor = r.equivalents.zizmor;
      const peer = zizmor.length === 0 ? '' : `  [zizmor: ${zizmor.join(', ')}]`;
      io.stdout.write(
        `${r.id.padEnd(idWidth)}  ${r.severity.padEnd(8)}  ${r.summary}${peer}\n${' '.repeat(idWidth + 12)}${r.docsUrl ?? r.docs}\n`,
      );
    }
    return Promise.resolve(EXIT.OK);
  },
};
