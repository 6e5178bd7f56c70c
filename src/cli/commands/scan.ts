import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SEVERITIES, type Severity } from '../../core/finding.js';
import type { RuleDescriptor } from '../../core/rule-descriptor.js';
import {
  ConfigError,
  checkGlobalName,
  EMPTY_CONFIG,
  findConfig,
} from '../../engine/config-model.js';
import { failsGate, scanPaths } from '../../engine/scan.js';
import type { ScanReport } from '../../engine/result.js';
import { renderJson } from '../../reporters/json.js';
import { renderSarif } from '../../reporters/sarif.js';
import { renderText } from '../../reporters/text.js';
import type { SignaturePolicy } from '../../provenance/policy.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { ProgressBar } from '../progress.js';

const USAGE = `Usage: torchward scan [options] [PATH...]

Scans model artifacts (by content, whatever their names) and GitHub Actions workflows,
and audits Python, notebooks, shell scripts, Dockerfiles and requirements files.
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
      --require-signature        require each PATH to carry a valid OpenSSF model signature
                                 (OMS v1.0) from a trusted signer, given by:
      --public-key PEM             the signer's public key, or
      --certificate-chain PEM      trusted certificates (repeatable), or
      --identity ID --identity-provider ISSUER [--trust-config trusted_root.json]
                                   a keyless Sigstore identity
      --signature FILE           the signature (default: PATH/model.sig, or beside a file)
      --ignore-unsigned-files    allow files the signature does not cover
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
        'require-signature': { type: 'boolean', default: false },
        signature: { type: 'string' },
        'public-key': { type: 'string' },
        'certificate-chain': { type: 'string', multiple: true },
        identity: { type: 'string' },
        'identity-provider': { type: 'string' },
        'trust-config': { type: 'string' },
        'ignore-unsigned-files': { type: 'boolean' },
        'no-progress': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.OK;
    }
    const format = checkFormat(values.format, ['text', 'json', 'sarif']);
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
        // The YAML parser loads only when there is a config to read.
        if (path !== undefined)
          config = await (await import('../../engine/config.js')).loadConfig(path);
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
    }
    const failOn = (failOnArg as Severity | undefined) ?? config.failOn ?? 'low';
    const requireSignature = signaturePolicy(values, config.signature);
    const progress = new ProgressBar(
      io.stderr,
      !values['no-progress'] && io.stderr.isTTY === true && !io.env.CI,
    );
    const report = await scanPaths(paths, {
      config,
      exclude: values.exclude,
      allowGlobals: values['allow-global'],
      ...(maxDepth === undefined ? {} : { limits: { maxDepth } }),
      ...(requireSignature === undefined ? {} : { requireSignature }),
      cwd: io.cwd,
      onProgress: (done, total, path) => {
        progress.update(done, total, path);
      },
    });
    progress.done();
    // SARIF lists rule metadata: only then is the whole rule registry loaded.
    const descriptors =
      format === 'sarif' ? (await import('../rule-descriptors.js')).ruleDescriptors() : [];
    const rendered = render(report, format, io, values.verbose, descriptors);
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
  descriptors: readonly RuleDescriptor[],
): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, descriptors);
    case 'text': {
      const color =
        io.stdout.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
      return renderText(report, { color, verbose });
    }
  }
}

interface SignatureArgs {
  readonly 'require-signature': boolean;
  readonly signature?: string | undefined;
  readonly 'public-key'?: string | undefined;
  readonly 'certificate-chain'?: string[] | undefined;
  readonly identity?: string | undefined;
  readonly 'identity-provider'?: string | undefined;
  readonly 'trust-config'?: string | undefined;
  readonly 'ignore-unsigned-files'?: boolean | undefined;
}

/**
 * The signature policy from the command line, falling back to the config file's `signature:`
 * section (keys spelled as the options; `required: true` turns the check on without the flag).
 */
function signaturePolicy(
  args: SignatureArgs,
  fromConfig: Readonly<Record<string, unknown>> | undefined,
): SignaturePolicy | undefined {
  const conf = fromConfig ?? {};
  const str = (key: string): string | undefined => {
    const v = conf[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new UsageError(`config signature.${key} must be a string`);
    return v;
  };
  const chainConf = conf['certificate-chain'];
  if (
    chainConf !== undefined &&
    !(Array.isArray(chainConf) && chainConf.every((c) => typeof c === 'string'))
  ) {
    throw new UsageError('config signature.certificate-chain must be a list of file names');
  }
  const required = args['require-signature'] || conf.required === true;
  const policy: SignaturePolicy = {
    ...optional('signature', args.signature ?? str('signature')),
    ...optional('publicKey', args['public-key'] ?? str('public-key')),
    ...optional('certificateChain', args['certificate-chain'] ?? chainConf),
    ...optional('identity', args.identity ?? str('identity')),
    ...optional('identityProvider', args['identity-provider'] ?? str('identity-provider')),
    ...optional('trustConfig', args['trust-config'] ?? str('trust-config')),
    ...optional(
      'ignoreUnsignedFiles',
      args['ignore-unsigned-files'] ?? (conf['ignore-unsigned-files'] === true ? true : undefined),
    ),
  };
  const given = Object.keys(policy).filter((k) => k !== 'signature' && k !== 'ignoreUnsignedFiles');
  if (!required) {
    if (
      args['public-key'] !== undefined ||
      args['certificate-chain'] !== undefined ||
      args.identity !== undefined
    ) {
      throw new UsageError('signer options need --require-signature');
    }
    return undefined;
  }
  if (given.length === 0) {
    throw new UsageError(
      '--require-signature needs --public-key, --certificate-chain or --identity (or a signature section in the config)',
    );
  }
  if ((policy.identity === undefined) !== (policy.identityProvider === undefined)) {
    throw new UsageError('--identity and --identity-provider go together');
  }
  return policy;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
}

/** The exit-code contract of `scan`. */
export function exitCode(report: ScanReport, failOn: Severity): number {
  if (report.summary.internalErrors.length > 0) return EXIT.INTERNAL;
  if (report.files.length === 0) return EXIT.NO_INPUT;
  return failsGate(report, failOn) ? EXIT.FINDINGS : EXIT.OK;
}
