import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SEVERITIES, type Severity } from '../../core/finding.js';
import type { RuleDescriptor } from '../../core/rule-descriptor.js';
import {
  ConfigError,
  checkGlobalName,
  findConfig,
  loadConfig,
  EMPTY_CONFIG,
} from '../../engine/config.js';
import { failsGate, scanPaths } from '../../engine/scan.js';
import type { ScanReport } from '../../engine/result.js';
import { renderJson } from '../../reporters/json.js';
import { renderSarif } from '../../reporters/sarif.js';
import { renderText } from '../../reporters/text.js';
import { ALL_RULES } from '../../rules/registry.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { ProgressBar } from '../progress.js';

const USAGE = `Usage: torchward scan [options] [PATH...]

Scans model artifacts (by content, whatever their names) and GitHub Actions workflows.
A model file is safe only when proven safe: every global, call and persistent id it would
load is inside torch's weights-only allowlist. PATH defaults to the current directory.

Options:
  -f, --format text|json|sarif   output format (default: text)
  -o, --output FILE              write the report to FILE instead of stdout
  -e, --exclude GLOB             leave out matching paths in directories (repeatable)
      --fail-on SEVERITY         lowest finding severity that fails the run:
                                 info|low|medium|high|critical (default: low); a model
                                 that is not safe always fails
      --allow-global MOD.NAME    treat a global as benign, like torch.serialization.add_safe_globals
                                 (repeatable; never lifts the built-in gadget blocklist)
      --config FILE              read settings from FILE (default: torchward.yml or
                                 .github/torchward.yml in the first directory given, or here)
      --no-config                ignore configuration files
      --max-depth N              deepest container nesting to open (default: 5)
  -v, --verbose                  list every scanned archive member in text output
      --no-progress              never draw the progress bar
  -h, --help                     show this help

Exit codes: 0 all safe and no finding at or above --fail-on, 1 otherwise,
2 usage error, 3 nothing readable, 4 internal error.
`;

export const scanCommand: Command = {
  name: 'scan',
  summary: 'Scan model artifacts and CI workflows (default-deny)',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f', default: 'text' },
        output: { type: 'string', short: 'o' },
        exclude: { type: 'string', short: 'e', multiple: true, default: [] },
        'fail-on': { type: 'string' },
        'allow-global': { type: 'string', multiple: true, default: [] },
        config: { type: 'string' },
        'no-config': { type: 'boolean', default: false },
        'max-depth': { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.OK;
    }
    const format = values.format;
    if (format !== 'text' && format !== 'json' && format !== 'sarif') {
      throw new UsageError(`--format must be text, json or sarif, not '${format}'`);
    }
    const failOnArg = values['fail-on'];
    if (failOnArg !== undefined && !SEVERITIES.includes(failOnArg as Severity)) {
      throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
    }
    let maxDepth: number | undefined;
    if (values['max-depth'] !== undefined) {
      maxDepth = Number(values['max-depth']);
      if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 32) {
        throw new UsageError('--max-depth must be a whole number from 0 to 32');
      }
    }
    for (const g of values['allow-global']) {
      try {
        checkGlobalName(g, '--allow-global');
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const paths = positionals.length > 0 ? positionals : ['.'];
    let config = EMPTY_CONFIG;
    if (!values['no-config']) {
      try {
        const path = values.config ?? (await findConfig([...paths.slice(0, 1), io.cwd]));
        if (path !== undefined) config = await loadConfig(path);
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
    }
    const failOn = (failOnArg as Severity | undefined) ?? config.failOn ?? 'low';
    const progress = new ProgressBar(
      io.stderr,
      !values['no-progress'] && io.stderr.isTTY === true && !io.env.CI,
    );
    const report = await scanPaths(paths, {
      config,
      exclude: values.exclude,
      allowGlobals: values['allow-global'],
      ...(maxDepth === undefined ? {} : { limits: { maxDepth } }),
      onProgress: (done, total, path) => {
        progress.update(done, total, path);
      },
    });
    progress.done();
    const rendered = render(report, format, io, values.verbose);
    if (values.output === undefined) {
      io.stdout.write(rendered);
    } else {
      await writeFile(values.output, rendered);
    }
    return exitCode(report, failOn);
  },
};

function render(
  report: ScanReport,
  format: 'text' | 'json' | 'sarif',
  io: CliIo,
  verbose: boolean,
): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, ruleDescriptors());
    case 'text': {
      const color =
        io.stdout.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
      return renderText(report, { color, verbose });
    }
  }
}

/** Every registered rule as reporters see it. */
export function ruleDescriptors(): RuleDescriptor[] {
  return ALL_RULES.map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    confidence: r.confidence,
    policy: r.policy,
    docs: r.docs,
  }));
}

/** The exit-code contract of `scan`. */
export function exitCode(report: ScanReport, failOn: Severity): number {
  if (report.summary.internalErrors.length > 0) return EXIT.INTERNAL;
  if (report.files.length === 0) return EXIT.NO_INPUT;
  return failsGate(report, failOn) ? EXIT.FINDINGS : EXIT.OK;
}
