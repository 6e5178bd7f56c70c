import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closest } from '../../core/closest.js';
import { CONFIDENCES, SEVERITIES, type Confidence, type Severity } from '../../core/finding.js';
import {
  ConfigError,
  checkGlobalName,
  EMPTY_CONFIG,
  findRepositoryConfig,
} from '../../engine/config-model.js';
import { failsGate, scanPaths, type ScanOptions } from '../../engine/scan.js';
import type { ScanReport } from '../../engine/result.js';
import { renderJson } from '../../reporters/json.js';
import { hubEndpoint } from './service-options.js';
import type { SignatureCheck } from '../../core/signature-check.js';
import { makeLimits, type Limits } from '../../core/limits.js';
import type { SignaturePolicy } from '../../provenance/policy.js';
import type { CliIo, Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { ProgressBar } from '../progress.js';

const USAGE = `Usage: torchward scan [options] [PATH...]
       torchward scan [options] hf://[datasets/|spaces/]OWNER/NAME[@REVISION]
       torchward scan [options] --hf-cache [DIR]

Scans model artifacts (by content, whatever their names) and GitHub Actions workflows,
and audits Python, notebooks, shell scripts, Dockerfiles and requirements files.
A model file is safe only when proven safe: every global, call and persistent id it would
load is inside torch's weights-only allowlist. PATH defaults to the current directory.

Options:
  -f, --format text|json|sarif|cyclonedx
                                 output format (default: text); cyclonedx writes a
                                 CycloneDX 1.6 ML-BOM
      --hf-endpoint URL          the Hugging Face Hub for hf:// ids (default: HF_ENDPOINT,
                                 else https://huggingface.co); token from HF_TOKEN
      --hf-cache                 scan the local Hugging Face cache: DIR, else HF_HUB_CACHE,
                                 HF_HOME/hub or ~/.cache/huggingface/hub
  -o, --output FILE              write the report to FILE instead of stdout
  -e, --exclude GLOB             leave out matching paths in directories (repeatable)
      --fail-on SEVERITY         lowest finding severity that fails the run:
                                 info|low|medium|high|critical (default: low); a model
                                 that is not safe always fails
      --allow-global MOD.NAME    treat a global as benign, like torch.serialization.add_safe_globals
                                 (repeatable; never lifts the built-in gadget blocklist)
      --config FILE              read settings from FILE (default: torchward.yml or
                                 .github/torchward.yml here or in a parent folder up to
                                 this repository's root; a config inside a scanned folder
                                 is never read implicitly, only reported)
      --no-config                ignore configuration files
      --min-confidence LEVEL     leave out workflow findings less sure than LEVEL:
                                 low|medium|high (default: low, report all)
      --pedantic                 also report the noisier workflow checks (zizmor's pedantic
                                 persona: unknown runner labels guessed persistent,
                                 constant GITHUB_ENV writes, concurrency limits, names …)
      --unscanned-severity SEV   severity of the finding for each path not scanned (missing,
                                 unreadable, a link leading nowhere or out of the folder, a
                                 special file, over the file limit): info|low|medium|high|
                                 critical (default: high, which fails the run)
      --max-depth N              deepest container nesting to open (default: 5)
      --timeout SECONDS          time limit per file (default: 30); a file that runs out
                                 is reported invalid. Files are scanned in parallel, one
                                 worker thread per core
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
      --privacy                  also search data files (text, JSON/JSONL, CSV/TSV, Parquet,
                                 notebooks, safetensors/GGUF metadata) for personal data and
                                 secrets: privacy/* findings, per-column counts, values masked
  -h, --help                     show this help

Exit codes: 0 all safe and no finding at or above --fail-on, 1 otherwise (a path not
scanned counts as a finding at --unscanned-severity), 2 usage error, 3 nothing readable,
4 internal error.
`;

/** Default per-file time limit of `scan`, in seconds. */
const DEFAULT_TIMEOUT_S = 30;

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
        exclude: { type: 'string', short: 'e', multiple: true, default: [] },
        'fail-on': { type: 'string' },
        'allow-global': { type: 'string', multiple: true, default: [] },
        config: { type: 'string' },
        'no-config': { type: 'boolean', default: false },
        'unscanned-severity': { type: 'string' },
        'min-confidence': { type: 'string' },
        pedantic: { type: 'boolean' },
        'max-depth': { type: 'string' },
        timeout: { type: 'string' },
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
        'hf-endpoint': { type: 'string' },
        'hf-cache': { type: 'boolean', default: false },
        privacy: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.OK;
    }
    const format = checkFormat(values.format, ['text', 'json', 'sarif', 'cyclonedx']);
    const hubRefs = positionals.filter((p) => p.startsWith('hf://'));
    if (hubRefs.length > 0 && (hubRefs.length !== 1 || positionals.length !== 1)) {
      throw new UsageError('give one hf:// id alone (scan other paths in another run)');
    }
    if (values['hf-cache'] && (hubRefs.length > 0 || positionals.length > 1)) {
      throw new UsageError('--hf-cache takes at most one cache folder, and no hf:// id');
    }
    if (values['hf-endpoint'] !== undefined && hubRefs.length === 0) {
      throw new UsageError('--hf-endpoint needs an hf:// id');
    }
    if (hubRefs.length > 0 && values['require-signature']) {
      throw new UsageError('--require-signature checks local folders, not hf:// ids');
    }
    const failOnArg = values['fail-on'];
    if (failOnArg !== undefined && !SEVERITIES.includes(failOnArg as Severity)) {
      throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
    }
    const minConfidence = values['min-confidence'];
    if (minConfidence !== undefined && !CONFIDENCES.includes(minConfidence as Confidence)) {
      throw new UsageError(`--min-confidence must be one of ${CONFIDENCES.join(', ')}`);
    }
    const unscannedArg = values['unscanned-severity'];
    if (unscannedArg !== undefined && !SEVERITIES.includes(unscannedArg as Severity)) {
      throw new UsageError(`--unscanned-severity must be one of ${SEVERITIES.join(', ')}`);
    }
    let maxDepth: number | undefined;
    if (values['max-depth'] !== undefined) {
      maxDepth = Number(values['max-depth']);
      if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 32) {
        throw new UsageError('--max-depth must be a whole number from 0 to 32');
      }
    }
    if (values.config !== undefined && values['no-config']) {
      throw new UsageError('--config and --no-config cannot be used together');
    }
    let timeoutMs = DEFAULT_TIMEOUT_S * 1000;
    if (values.timeout !== undefined) {
      const seconds = Number(values.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
        throw new UsageError('--timeout must be a number of seconds from 0 to 86400');
      }
      timeoutMs = Math.max(1, Math.round(seconds * 1000));
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
        // Only the config of the repository the user stands in, or one named: a config shipped
        // inside a scanned folder is the scanned content's and must not switch its scan off.
        const path = values.config ?? (await findRepositoryConfig(io.cwd));
        // The YAML parser loads only when there is a config to read.
        if (path !== undefined)
          config = await (await import('../../engine/config.js')).loadConfig(path);
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
    }
    const warn = (message: string): void => {
      io.stderr.write(`torchward scan: warning: ${message}\n`);
    };
    const ignored = Object.keys(config.ignore);
    if (ignored.length > 0) {
      // A misspelt id in `ignore:` suppresses nothing; the rule registry loads only to say so.
      const { loadAllRules } = await import('../../rules/families.js');
      const known = (await loadAllRules()).all.map((r) => r.id);
      for (const id of ignored.filter((i) => !known.includes(i))) {
        const hint = closest(id, known);
        warn(
          `${config.source ?? 'config'}: ignore: unknown rule id '${id}'${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`,
        );
      }
    }
    const failOn = (failOnArg as Severity | undefined) ?? config.failOn ?? 'low';
    const requireSignature = signaturePolicy(values, config.signature);
    // A required signature is never dropped silently (a config's `signature: required: true`).
    if (requireSignature !== undefined && (hubRefs.length > 0 || values['hf-cache'])) {
      throw new UsageError(
        'a required signature is checked on local paths, not on the Hub or its cache',
      );
    }
    const progress = new ProgressBar(
      io.stderr,
      !values['no-progress'] && io.stderr.isTTY === true && !io.env.CI,
    );
    const scanOptions: ScanOptions = {
      config,
      unscannedSeverity:
        (unscannedArg as Severity | undefined) ?? config.unscannedSeverity ?? 'high',
      exclude: values.exclude,
      allowGlobals: values['allow-global'],
      limits: { maxMillisPerFile: timeoutMs, ...(maxDepth === undefined ? {} : { maxDepth }) },
      // One worker thread per core: files run in parallel and a file past its time limit is
      // stopped without holding up the others.
      threads: availableParallelism(),
      ...(values.privacy ? { privacy: true } : {}),
      cwd: io.cwd,
      workflowFilter: {
        ...(minConfidence === undefined ? {} : { minConfidence: minConfidence as Confidence }),
        ...(values.pedantic === undefined ? {} : { pedantic: values.pedantic }),
      },
      onWarning: warn,
      onProgress: (done, total, path) => {
        progress.update(done, total, path);
      },
    };
    let report: ScanReport;
    const hubRef = hubRefs[0];
    if (hubRef !== undefined) {
      const { scanHubRepository } = await import('../../engine/hub-scan.js');
      const { HubError } = await import('../../hub/client.js');
      const endpoint = hubEndpoint(values['hf-endpoint'] ?? io.env.HF_ENDPOINT);
      const token = io.env.HF_TOKEN;
      try {
        report = await scanHubRepository(hubRef, {
          ...scanOptions,
          connection: {
            endpoint,
            timeoutMs: timeoutMs * 2,
            ...(token === undefined || token === '' ? {} : { token }),
          },
        });
      } catch (error) {
        if (error instanceof HubError) throw new UsageError(error.message);
        throw error;
      }
    } else if (values['hf-cache']) {
      const { scanHubCache, defaultHubCache } = await import('../../engine/hub-scan.js');
      const dir =
        positionals[0] === undefined ? defaultHubCache(io.env) : resolve(io.cwd, positionals[0]);
      report = await scanHubCache(dir, scanOptions);
    } else {
      // Provenance sits beside the engine: the signatures are verified here, and the scan only
      // judges the results (provenance/* rules on each signature file's entry).
      const signatures =
        requireSignature === undefined
          ? undefined
          : await checkSignatures(paths, requireSignature, io.cwd, makeLimits(scanOptions.limits));
      report = await scanPaths(paths, {
        ...scanOptions,
        ...(signatures === undefined ? {} : { signatures }),
      });
    }
    progress.done();
    // The text report carries the notice itself; machine formats carry it as data, so say it here.
    for (const ignored of format === 'text' ? [] : report.summary.config.ignoredConfigs) {
      io.stderr.write(
        `torchward: notice: ${ignored} was not read: a config inside a scanned folder cannot configure its own scan (pass --config to use it)\n`,
      );
    }
    // SARIF lists rule metadata and pages: only then is the whole rule registry loaded.
    const rendered =
      format === 'sarif'
        ? (await import('../render-sarif.js')).renderSarif(report, undefined, { srcRoot: io.cwd })
        : format === 'cyclonedx'
          ? await (await import('../render-cyclonedx.js')).renderCycloneDxReport(report, io.cwd)
          : await render(report, format, io, values.verbose);
    // With -o/--output, main hands in a stdout that goes to the file.
    io.stdout.write(rendered);
    // A bug (a rule or handler that threw) is named on stderr whatever the format: exit 4.
    for (const e of report.summary.internalErrors)
      io.stderr.write(`torchward: internal error: ${e}\n`);
    return exitCode(report, failOn);
  },
};

/**
 * `--require-signature`: each PATH checked against the policy before the scan, which then judges
 * the results. A check keeps the path as given (the report names it), resolved from `cwd`.
 */
async function checkSignatures(
  paths: readonly string[],
  policy: SignaturePolicy,
  cwd: string,
  limits: Limits,
): Promise<SignatureCheck[]> {
  const { checkModelSignature } = await import('../../provenance/policy.js');
  const out: SignatureCheck[] = [];
  for (const path of paths) {
    const check = await checkModelSignature(resolve(cwd, path), policy, limits);
    out.push({ ...check, model: path });
  }
  return out;
}

async function render(
  report: ScanReport,
  format: 'text' | 'json',
  io: CliIo,
  verbose: boolean,
): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'text': {
      // The text reporter loads only for text output (JSON is what scripts and CI read).
      const { renderText } = await import('../../reporters/text.js');
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
  if (report.files.every((f) => f.format === 'unscanned')) return EXIT.NO_INPUT;
  return failsGate(report, failOn) ? EXIT.FINDINGS : EXIT.OK;
}
