import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RequestBudget } from '../../llm/budget.js';
import { LlmError } from '../../llm/errors.js';
import type { LogprobProtocol, LogprobTarget, PromptLogprobs } from '../../llm/prompt-logprobs.js';
import { PromptScorer } from '../../llm/prompt-logprobs.js';
import { ResumableLog } from '../../llm/resumable-log.js';
import { readCanaryFile } from '../../memorization/canary-file.js';
import { CanaryError } from '../../memorization/canary-format.js';
import type { ExposureReport } from '../../memorization/exposure.js';
import { measureExposure } from '../../memorization/exposure.js';
import { writeFilesAtomically } from '../../memorization/insert.js';
import type { MembershipReport } from '../../memorization/membership.js';
import { measureMembership, readRecords } from '../../memorization/membership.js';
import type { MemorizationReport } from '../../memorization/report.js';
import { decideVerdict, renderHtml, renderText } from '../../memorization/report.js';
import type { Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { checkHttpUrl, parseLlmTarget } from '../llm-target.js';
import { intOption } from '../args.js';
import { ProgressBar } from '../progress.js';

const HELP = `Usage: torchward memorization (--target URL | --target-command CMD) [--canaries FILE]
                              [--members FILE --non-members FILE] [options]

Measures what a served model leaks about its training data from token log-probabilities.

Target:
  --target URL             OpenAI-compatible server (http://host:port, .../v1 or .../v1/completions)
  --target-command CMD     a local program (split on spaces, no shell) that reads the completions
                           request JSON on stdin and writes the reply JSON on stdout
  --protocol P             echo (default: /v1/completions with echo and logprobs) or
                           prompt-logprobs (vLLM's prompt_logprobs)
  --model NAME             model name sent with each request
  --api-key-env NAME       environment variable holding a bearer token (default OPENAI_API_KEY)

Canary exposure (Carlini et al. 2019):
  --canaries FILE          canary file from 'torchward canary insert' (repeats recorded)
  --enumerate-limit N      rank over the whole space when it has at most N secrets (default 10000)
  --samples N              otherwise, alternatives sampled from the space (default 1000)
  --max-exposure BITS      fail at this exposure (default log2|R| - 2)

Membership inference (loss, zlib ratio, min-k% prob; reference calibration):
  --members FILE           records from the training data (JSONL with --field, or one per line)
  --non-members FILE       records held out from the same distribution
  --reference URL          the base model before fine-tuning, same protocol (adds 'reference')
  --reference-model NAME   model name for the reference
  --field NAME             JSONL key of the text (default text)
  --min-k PERCENT          min-k% prob (default 20)
  --bootstrap N            bootstrap rounds for the intervals (default 1000)
  --max-records N          records per file (default 10000)
  --max-auc X              fail when an attack's AUC reaches X (default 0.6)
  --max-tpr-ratio X        fail when TPR at 0.1% FPR reaches X times 0.1% (default 10)

Operations:
  --concurrency N          requests in flight (default 4)
  --batch N                prompts per request (default 16)
  --retries N              retries on 429, 5xx, timeouts (default 4; exponential backoff)
  --timeout-ms N           per request (default 60000)
  --max-requests N         request budget, retries included (default 100000)
  --log FILE               resumable JSONL log of answers; a rerun skips what it holds
  --seed S                 seed of the sampled alternatives and the bootstrap (default torchward)
  --no-progress            no progress bar on stderr

Output:
  --format text|json       (default text)
  -o, --output FILE        write the report there instead of stdout
  --html FILE              also write a self-contained HTML page (plots as inline SVG)

Exit codes: 0 pass, 1 fail (a threshold is crossed), 2 usage error,
3 unusable input or target (no log-probabilities, missing tokens, NaN, budget exhausted).
`;

function floatOption(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} needs a non-negative number, got '${value}'`);
  return n;
}

function validateLogged(value: unknown): PromptLogprobs {
  const v = value as Partial<PromptLogprobs> | null;
  if (
    v === null ||
    !Array.isArray(v.tokens) ||
    !Array.isArray(v.logprobs) ||
    !Array.isArray(v.offsets)
  ) {
    throw new Error('a log entry is not a token log-probability record');
  }
  return v as PromptLogprobs;
}

/** `torchward memorization`: canary exposure and membership inference against a served model. */
export const memorizationCommand: Command = {
  name: 'memorization',
  summary: 'Measure training-data leakage: canary exposure and membership inference via log-probs',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        target: { type: 'string' },
        'target-command': { type: 'string' },
        protocol: { type: 'string', default: 'echo' },
        model: { type: 'string' },
        'api-key-env': { type: 'string', default: 'OPENAI_API_KEY' },
        canaries: { type: 'string' },
        'enumerate-limit': { type: 'string' },
        samples: { type: 'string' },
        'max-exposure': { type: 'string' },
        members: { type: 'string' },
        'non-members': { type: 'string' },
        reference: { type: 'string' },
        'reference-model': { type: 'string' },
        field: { type: 'string', default: 'text' },
        'min-k': { type: 'string' },
        bootstrap: { type: 'string' },
        'max-records': { type: 'string' },
        'max-auc': { type: 'string' },
        'max-tpr-ratio': { type: 'string' },
        concurrency: { type: 'string' },
        batch: { type: 'string' },
        retries: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-requests': { type: 'string' },
        log: { type: 'string' },
        seed: { type: 'string', default: 'torchward' },
        'no-progress': { type: 'boolean', default: false },
        format: { type: 'string', default: 'text' },
        output: { type: 'string', short: 'o' },
        html: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const format = checkFormat(values.format, ['text', 'json']);
    const chosen = parseLlmTarget(values);
    const protocol = checkFormat<LogprobProtocol>(values.protocol, ['echo', 'prompt-logprobs']);
    if ((values.members === undefined) !== (values['non-members'] === undefined)) {
      throw new UsageError('--members and --non-members go together');
    }
    if (values.canaries === undefined && values.members === undefined) {
      throw new UsageError(
        'nothing to measure: give --canaries and/or --members with --non-members',
      );
    }
    if (values.reference !== undefined && values.members === undefined) {
      throw new UsageError(
        '--reference calibrates membership inference; give --members and --non-members',
      );
    }
    const minK = floatOption(values['min-k'], '--min-k', 20);
    if (minK <= 0 || minK > 100) throw new UsageError('--min-k must be in (0, 100]');
    const apiKey = io.env[values['api-key-env']];
    const headers =
      apiKey === undefined || apiKey === '' ? undefined : { authorization: `Bearer ${apiKey}` };
    const target: LogprobTarget =
      chosen.kind === 'url'
        ? {
            kind: 'url',
            url: chosen.url,
            ...(headers === undefined ? {} : { headers }),
          }
        : {
            kind: 'command',
            argv: chosen.argv,
          };
    const budget = new RequestBudget(intOption(values['max-requests'], '--max-requests', 100_000));
    const progress = new ProgressBar(io.stderr, io.stderr.isTTY === true && !values['no-progress']);
    const common = {
      protocol,
      budget,
      concurrency: intOption(values.concurrency, '--concurrency', 4),
      batchSize: intOption(values.batch, '--batch', 16),
      retries: intOption(values.retries, '--retries', 4, 0),
      timeoutMs: intOption(values['timeout-ms'], '--timeout-ms', 60_000),
    };
    const thresholds = {
      maxAuc: floatOption(values['max-auc'], '--max-auc', 0.6),
      maxTprRatio: floatOption(values['max-tpr-ratio'], '--max-tpr-ratio', 10),
      ...(values['max-exposure'] === undefined
        ? {}
        : { maxExposure: floatOption(values['max-exposure'], '--max-exposure', 0) }),
    };
    try {
      const log =
        values.log === undefined
          ? undefined
          : await ResumableLog.open(resolve(io.cwd, values.log), validateLogged);
      const scorer = (t: LogprobTarget, model: string | undefined, label: string): PromptScorer =>
        new PromptScorer({
          ...common,
          target: t,
          ...(model === undefined ? {} : { model }),
          ...(log === undefined ? {} : { log }),
          onProgress: (done, total) => {
            progress.update(done, total, label);
          },
        });
      const main = scorer(target, values.model, 'target');
      let exposure: ExposureReport | undefined;
      let membership: MembershipReport | undefined;
      if (values.canaries !== undefined) {
        const { file, format: canaryFormat } = await readCanaryFile(
          resolve(io.cwd, values.canaries),
        );
        exposure = await measureExposure(main, canaryFormat, file.canaries, {
          enumerateLimit: intOption(values['enumerate-limit'], '--enumerate-limit', 10_000),
          samples: intOption(values.samples, '--samples', 1000, 2),
          seed: values.seed,
        });
      }
      if (values.members !== undefined) {
        const maxRecords = intOption(values['max-records'], '--max-records', 10_000);
        const members = await readRecords(
          resolve(io.cwd, values.members),
          values.field,
          maxRecords,
        );
        const nonMembers = await readRecords(
          resolve(io.cwd, values['non-members'] ?? ''),
          values.field,
          maxRecords,
        );
        const reference =
          values.reference === undefined
            ? undefined
            : scorer(
                {
                  kind: 'url',
                  url: checkHttpUrl(values.reference, '--reference'),
                  ...(headers === undefined ? {} : { headers }),
                },
                values['reference-model'],
                'reference',
              );
        membership = await measureMembership(
          main,
          members,
          nonMembers,
          {
            minKPercent: minK,
            bootstrapRounds: intOption(values.bootstrap, '--bootstrap', 1000),
            seed: values.seed,
          },
          reference,
        );
      }
      progress.done();
      const report: MemorizationReport = {
        tool: 'torchward',
        command: 'memorization',
        target: values.target ?? values['target-command'] ?? '',
        requests: budget.spent,
        ...(exposure === undefined ? {} : { exposure }),
        ...(membership === undefined ? {} : { membership }),
        verdict: decideVerdict(exposure, membership, thresholds),
      };
      const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderText(report);
      const writes: { path: string; text: string }[] = [];
      if (values.html !== undefined)
        writes.push({ path: resolve(io.cwd, values.html), text: renderHtml(report) });
      if (values.output !== undefined) writes.push({ path: resolve(io.cwd, values.output), text });
      await writeFilesAtomically(writes);
      if (values.output === undefined) io.stdout.write(text);
      return report.verdict.pass ? EXIT.OK : EXIT.FINDINGS;
    } catch (error) {
      progress.done();
      if (error instanceof LlmError) {
        io.stderr.write(`torchward memorization: ${error.code}: ${error.message}\n`);
        io.stderr.write(
          'no exposure or membership result was computed; nothing is reported as safe\n',
        );
        return EXIT.NO_INPUT;
      }
      if (error instanceof CanaryError) {
        io.stderr.write(`torchward memorization: ${error.message}\n`);
        return EXIT.NO_INPUT;
      }
      throw error;
    }
  },
};
