import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { GuardMode } from '../../guard/types.js';
import { RequestBudget } from '../../llm/budget.js';
import type { ChatTarget } from '../../llm/chat.js';
import { LlmError } from '../../llm/errors.js';
import { RateLimiter } from '../../llm/rate-limit.js';
import { ResumableLog } from '../../llm/resumable-log.js';
import { writeFilesAtomically } from '../../memorization/insert.js';
import { FAMILIES } from '../../redteam/families/index.js';
import { DEFAULT_SYSTEM_PROMPT, buildPlans, familiesById } from '../../redteam/plan.js';
import { buildReport, renderHtml, renderText } from '../../redteam/report.js';
import type { AttemptRecord } from '../../redteam/run.js';
import { runAttempts, runFingerprint, validateRecord } from '../../redteam/run.js';
import type { Command } from '../io.js';
import { EXIT, UsageError, checkFormat } from '../io.js';
import { parseLlmTarget, publicUrl } from '../llm-target.js';
import { intOption } from '../args.js';
import { ProgressBar } from '../progress.js';

const HELP = `Usage: torchward redteam (--target URL | --target-command CMD) [options]

Fuzzes a served model with prompt-injection attacks and scores each one with a fresh canary.

Target:
  --target URL             OpenAI-compatible API base (http://host:port or .../v1); requests go
                           to /v1/chat/completions, or /v1/completions with --completions
  --target-command CMD     a local program (split on spaces, no shell) that reads one request
                           JSON on stdin and writes the OpenAI-shaped reply JSON on stdout
  --completions            use the legacy completions API (a plain-text transcript prompt)
  --stream                 ask for server-sent events and assemble the stream
  --model NAME             model name sent with each request
  --system-prompt FILE     the system prompt under test (UTF-8 text, at most 64 KiB)
  --api-key-env NAME       environment variable holding a bearer token (default OPENAI_API_KEY);
                           the key is never written to the log or a report

Attacks:
  --families LIST          comma-separated families (default: all)
                           ${FAMILIES.map((f) => f.id).join(', ')}
  --attempts N             attempts per probe (default 3)
  --mutators N             extra seeded surface mutators (casing, spacing) per attempt (default 0)
  --seed S                 plan seed: the same seed gives the same attempts (default torchward);
                           canaries are fresh random values per attempt

Operations:
  --concurrency N          requests in flight (default 4)
  --rate N                 at most N requests per second (default: no limit)
  --retries N              retries on 429, 5xx, timeouts, connection errors (default 4;
                           exponential backoff, Retry-After honoured)
  --backoff-ms N           first backoff delay (default 500)
  --timeout-ms N           per request (default 60000)
  --max-requests N         request budget, retries included (default 10000)
  --max-reply-bytes N      larger replies are an error (default 1048576)
  --max-tokens N           max_tokens of each request (default 256)
  --max-failures N         stop after N failed attempts in a row (default 3)
  --log FILE               append every attempt (request, reply, score; secrets redacted) as JSONL
  --resume FILE            like --log, for an existing log: answered attempts are not re-sent
  --guard                  also run torchward guard on every prompt and report how many
                           successful attacks it would have blocked
  --guard-mode M           strict, balanced (default) or permissive
  --no-progress            no progress bar on stderr

Output:
  --format text|json       (default text)
  -o, --output FILE        write the report there instead of stdout
  --html FILE              also write a self-contained HTML page (chart and transcripts)

Exit codes: 0 every attempt answered and none succeeded, 1 at least one attack succeeded,
2 usage error, 3 unusable target or input, or an incomplete run (errors, budget) with no success.
`;

const MAX_SYSTEM_PROMPT_BYTES = 64 * 1024;

/** A system-prompt file problem: reported with exit 3, never a crash. */
class SystemPromptError extends Error {}

/** An attempt log that cannot be read as one: exit 3. */
class LogError extends Error {}

async function readSystemPrompt(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    // Read at most one byte past the limit: a huge or endless file (a FIFO, /dev/zero) is
    // refused without being read whole.
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_SYSTEM_PROMPT_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new SystemPromptError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (bytes.length > MAX_SYSTEM_PROMPT_BYTES)
    throw new SystemPromptError(`${path} is larger than ${MAX_SYSTEM_PROMPT_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SystemPromptError(`${path} is not UTF-8 text`);
  }
  if (text.includes('\u0000')) throw new SystemPromptError(`${path} holds NUL bytes (binary?)`);
  if (text.trim() === '') throw new SystemPromptError(`${path} is empty`);
  return text.replace(/^\uFEFF/, '').trimEnd();
}

/** `torchward redteam`: a prompt-injection fuzzer for OpenAI-compatible endpoints. */
export const redteamCommand: Command = {
  name: 'redteam',
  summary: 'Fuzz a served model with prompt-injection attacks scored by canaries',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        target: { type: 'string' },
        'target-command': { type: 'string' },
        completions: { type: 'boolean', default: false },
        stream: { type: 'boolean', default: false },
        model: { type: 'string' },
        'system-prompt': { type: 'string' },
        'api-key-env': { type: 'string', default: 'OPENAI_API_KEY' },
        families: { type: 'string' },
        attempts: { type: 'string' },
        mutators: { type: 'string' },
        seed: { type: 'string', default: 'torchward' },
        concurrency: { type: 'string' },
        rate: { type: 'string' },
        retries: { type: 'string' },
        'backoff-ms': { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-requests': { type: 'string' },
        'max-reply-bytes': { type: 'string' },
        'max-tokens': { type: 'string' },
        'max-failures': { type: 'string' },
        log: { type: 'string' },
        resume: { type: 'string' },
        guard: { type: 'boolean', default: false },
        'guard-mode': { type: 'string' },
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
    if (values.log !== undefined && values.resume !== undefined) {
      throw new UsageError('--log and --resume name the same log; give one of them');
    }
    if (values.stream && chosen.kind !== 'url') {
      throw new UsageError('--stream applies to --target; a --target-command answers in one piece');
    }
    if (values['guard-mode'] !== undefined && !values.guard) {
      throw new UsageError('--guard-mode needs --guard');
    }
    const guardMode: GuardMode | undefined = values.guard
      ? (checkOption(values['guard-mode'] ?? 'balanced', '--guard-mode', [
          'strict',
          'balanced',
          'permissive',
        ]) as GuardMode)
      : undefined;
    let families;
    try {
      families =
        values.families === undefined
          ? [...FAMILIES]
          : familiesById(
              values.families
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== ''),
            );
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (families.length === 0) throw new UsageError('--families names no family');
    const attempts = intOption(values.attempts, '--attempts', 3);
    const mutators = intOption(values.mutators, '--mutators', 0, 0);
    if (attempts > 10_000 || mutators > 16)
      throw new UsageError('--attempts is at most 10000 and --mutators at most 16');
    const rate =
      values.rate === undefined
        ? undefined
        : Number.isFinite(Number(values.rate)) && Number(values.rate) > 0
          ? Number(values.rate)
          : (() => {
              throw new UsageError(`--rate needs a positive number, got '${values.rate}'`);
            })();
    const api = values.completions ? 'completions' : 'chat';
    const apiKey = io.env[values['api-key-env']];
    const secrets = apiKey === undefined || apiKey === '' ? [] : [apiKey];
    const target: ChatTarget =
      chosen.kind === 'url'
        ? {
            kind: 'url',
            url: chosen.url,
            api,
            stream: values.stream,
            ...(secrets.length === 0 ? {} : { headers: { authorization: `Bearer ${apiKey}` } }),
          }
        : {
            kind: 'command',
            argv: chosen.argv,
            api,
          };
    const label = chosen.kind === 'url' ? publicUrl(chosen.url) : chosen.command;
    const budget = new RequestBudget(intOption(values['max-requests'], '--max-requests', 10_000));
    const limiter = rate === undefined ? undefined : new RateLimiter(rate);
    const progress = new ProgressBar(io.stderr, io.stderr.isTTY === true && !values['no-progress']);
    const logPath = values.resume ?? values.log;
    try {
      const systemPrompt =
        values['system-prompt'] === undefined
          ? DEFAULT_SYSTEM_PROMPT
          : await readSystemPrompt(resolve(io.cwd, values['system-prompt']));
      if (values.resume !== undefined) {
        try {
          await (await open(resolve(io.cwd, values.resume), 'r')).close();
        } catch {
          throw new UsageError(`--resume ${values.resume}: no such log (start one with --log)`);
        }
      }
      let log: ResumableLog<AttemptRecord> | undefined;
      if (logPath !== undefined) {
        try {
          log = await ResumableLog.open<AttemptRecord>(resolve(io.cwd, logPath), validateRecord);
        } catch (error) {
          // A log that is not ours (a folder, another tool's JSONL, a corrupt line) is refused:
          // resuming from it could silently skip or mis-score attempts.
          throw new LogError(`${logPath}: ${(error as Error).message}`);
        }
      }
      const plans = buildPlans(families, values.seed, attempts, mutators);
      const fingerprint = runFingerprint([
        label,
        api,
        values.model ?? '',
        values.seed,
        String(attempts),
        String(mutators),
        families.map((f) => f.id).join(','),
        systemPrompt,
      ]);
      if (
        log !== undefined &&
        log.size > 0 &&
        ![...log.keys()].some((k) => k.startsWith(`${fingerprint}:`))
      ) {
        io.stderr.write(
          `torchward redteam: no entry of ${logPath ?? ''} belongs to this run (another target, model, seed, family list or system prompt); every attempt is sent\n`,
        );
      }
      const result = await runAttempts(plans, {
        target,
        chat: {
          retries: intOption(values.retries, '--retries', 4, 0),
          timeoutMs: intOption(values['timeout-ms'], '--timeout-ms', 60_000),
          backoffMs: intOption(values['backoff-ms'], '--backoff-ms', 500, 0),
          maxResponseBytes: intOption(values['max-reply-bytes'], '--max-reply-bytes', 1024 * 1024),
          maxTokens: intOption(values['max-tokens'], '--max-tokens', 256),
          ...(values.model === undefined ? {} : { model: values.model }),
          ...(limiter === undefined ? {} : { beforeRequest: () => limiter.wait() }),
        },
        budget,
        concurrency: intOption(values.concurrency, '--concurrency', 4),
        systemPrompt,
        fingerprint,
        ...(log === undefined ? {} : { log }),
        ...(guardMode === undefined ? {} : { guardMode }),
        secrets,
        maxConsecutiveFailures: intOption(values['max-failures'], '--max-failures', 3),
        onProgress: (done, total) => {
          progress.update(done, total, 'attempts');
        },
      });
      progress.done();
      const report = buildReport({
        target: label,
        api,
        model: values.model,
        seed: values.seed,
        families,
        records: result.records,
        planned: plans.length,
        requests: budget.spent,
        resumed: result.resumed,
        stopped: result.stopped,
        guardMode,
      });
      const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderText(report);
      const writes: { path: string; text: string }[] = [];
      if (values.html !== undefined)
        writes.push({ path: resolve(io.cwd, values.html), text: renderHtml(report) });
      if (values.output !== undefined) writes.push({ path: resolve(io.cwd, values.output), text });
      await writeFilesAtomically(writes);
      if (values.output === undefined) io.stdout.write(text);
      if (result.stopped !== undefined) {
        io.stderr.write(
          `torchward redteam: stopped early: ${result.stopped.code}: ${result.stopped.message}\n`,
        );
      }
      if (!report.complete && logPath !== undefined) {
        io.stderr.write(
          `torchward redteam: ${report.planned - report.answered} attempts unanswered; rerun with --resume ${logPath}\n`,
        );
      }
      if (report.families.some((f) => f.successes > 0)) return EXIT.FINDINGS;
      return report.complete ? EXIT.OK : EXIT.NO_INPUT;
    } catch (error) {
      progress.done();
      if (error instanceof SystemPromptError) {
        io.stderr.write(`torchward redteam: system prompt: ${error.message}\n`);
        return EXIT.NO_INPUT;
      }
      if (error instanceof LlmError) {
        io.stderr.write(`torchward redteam: ${error.code}: ${error.message}\n`);
        return EXIT.NO_INPUT;
      }
      if (error instanceof LogError) {
        io.stderr.write(`torchward redteam: log: ${error.message}\n`);
        return EXIT.NO_INPUT;
      }
      throw error;
    }
  },
};

function checkOption(value: string, flag: string, allowed: readonly string[]): string {
  if (!allowed.includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value;
}
