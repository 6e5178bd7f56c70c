import { createHash } from 'node:crypto';
import type { RequestBudget } from './budget.js';
import { mapPool } from './budget.js';
import { LlmError } from './errors.js';
import { postJson } from './http-json.js';
import type { ResumableLog } from './resumable-log.js';
import { runCommand } from './run-command.js';
import { itemAt } from '../core/item-at.js';

/**
 * How the endpoint gives log-probabilities of a *given* text:
 * - `echo`: legacy OpenAI `/v1/completions` with `echo: true, logprobs: 1` (vLLM, Together, TGI
 *   through its OpenAI layer); the reply's `choices[i].logprobs` has `tokens`, `token_logprobs`
 *   and `text_offset`.
 * - `prompt-logprobs`: vLLM's `prompt_logprobs: 0` extra parameter; `choices[i].prompt_logprobs`
 *   is a list, one entry per prompt token, of `null` (the first token) or `{tokenId: {logprob,
 *   decoded_token}}` holding the prompt token itself (k = 0 asks for no alternatives).
 */
export type LogprobProtocol = 'echo' | 'prompt-logprobs';

/** The log-probability of each token of a prompt given the tokens before it. */
export interface PromptLogprobs {
  readonly tokens: readonly string[];
  /** `null` where the endpoint gives none (the first token has no context). */
  readonly logprobs: readonly (number | null)[];
  /** Start of each token in the prompt, in UTF-16 code units. */
  readonly offsets: readonly number[];
}

/** Where prompts are scored. */
export type LogprobTarget =
  | {
      readonly kind: 'url';
      readonly url: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'command'; readonly argv: readonly string[] };

/** Options of a `PromptScorer`. */
export interface PromptScorerOptions {
  readonly target: LogprobTarget;
  readonly protocol: LogprobProtocol;
  readonly model?: string;
  readonly budget: RequestBudget;
  readonly concurrency: number;
  /** Prompts per request (the completions API takes a list of prompts). */
  readonly batchSize: number;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly backoffMs?: number;
  readonly maxResponseBytes?: number;
  /** Answers already received (resume) and the place to append new ones. */
  readonly log?: ResumableLog<PromptLogprobs>;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Scores prompts against a log-probability endpoint: batches, concurrency, retries with
 * backoff, the request budget and the resumable log all live here, so any command that needs
 * token log-probabilities of given texts (memorization; a red-team scorer) shares them.
 */
export class PromptScorer {
  constructor(private readonly options: PromptScorerOptions) {}

  /** The key a prompt's answer is logged under: target, protocol, model and the prompt. */
  keyOf(prompt: string): string {
    const t = this.options.target;
    const where = t.kind === 'url' ? t.url : t.argv.join(' ');
    return createHash('sha256')
      .update(
        `${where}\u0000${this.options.protocol}\u0000${this.options.model ?? ''}\u0000${prompt}`,
      )
      .digest('hex');
  }

  /** Token log-probabilities of every prompt, in order; throws `LlmError` on the first failure. */
  async score(prompts: readonly string[]): Promise<PromptLogprobs[]> {
    const results = new Array<PromptLogprobs | undefined>(prompts.length);
    const todo: number[] = [];
    prompts.forEach((prompt, i) => {
      const logged = this.options.log?.get(this.keyOf(prompt));
      if (logged !== undefined) results[i] = logged;
      else todo.push(i);
    });
    let done = prompts.length - todo.length;
    this.options.onProgress?.(done, prompts.length);
    const batches: number[][] = [];
    for (let i = 0; i < todo.length; i += this.options.batchSize) {
      batches.push(todo.slice(i, i + this.options.batchSize));
    }
    await mapPool(batches, this.options.concurrency, async (batch) => {
      const texts = batch.map((i) => itemAt(prompts, i));
      const answers = await this.request(texts);
      for (let k = 0; k < batch.length; k++) {
        const i = itemAt(batch, k);
        results[i] = itemAt(answers, k);
        await this.options.log?.append(this.keyOf(itemAt(prompts, i)), itemAt(answers, k));
      }
      done += batch.length;
      this.options.onProgress?.(done, prompts.length);
    });
    return results as PromptLogprobs[];
  }

  private body(prompts: readonly string[]): Record<string, unknown> {
    const body: Record<string, unknown> = {
      prompt: prompts,
      max_tokens: 1,
      temperature: 0,
    };
    if (this.options.model !== undefined) body.model = this.options.model;
    if (this.options.protocol === 'echo') {
      body.echo = true;
      body.logprobs = 1;
    } else {
      body.prompt_logprobs = 0;
    }
    return body;
  }

  private async request(prompts: readonly string[]): Promise<PromptLogprobs[]> {
    const body = this.body(prompts);
    const t = this.options.target;
    const reply =
      t.kind === 'url'
        ? await postJson(completionsUrl(t.url), body, {
            budget: this.options.budget,
            retries: this.options.retries,
            timeoutMs: this.options.timeoutMs,
            backoffMs: this.options.backoffMs ?? 500,
            maxResponseBytes: this.options.maxResponseBytes ?? 64 * 1024 * 1024,
            ...(t.headers === undefined ? {} : { headers: t.headers }),
          })
        : await runCommand(t.argv, body, this.options);
    return parseCompletionsReply(reply, prompts, this.options.protocol);
  }
}

/** `http://host:port` and `http://host:port/v1` get `/v1/completions` appended; a full path is kept. */
export function completionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  if (trimmed.endsWith('/completions')) return trimmed;
  if (trimmed.endsWith('/v1')) return `${trimmed}/completions`;
  return `${trimmed}/v1/completions`;
}

/**
 * Reads the per-token log-probabilities of each prompt out of a completions reply and checks
 * them: every prompt has a choice, the tokens cover the prompt from its start (extra generated
 * tokens after it are dropped), every log-probability after the first token is a finite number
 * no greater than zero.
 */
export function parseCompletionsReply(
  reply: unknown,
  prompts: readonly string[],
  protocol: LogprobProtocol,
): PromptLogprobs[] {
  const choices = (reply as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) {
    const message = (reply as { error?: { message?: unknown } } | null)?.error?.message;
    throw new LlmError(
      'bad-reply',
      typeof message === 'string' ? `endpoint error: ${message}` : 'the reply has no choices list',
    );
  }
  const byIndex = new Map<number, unknown>();
  choices.forEach((choice: unknown, position) => {
    const index = (choice as { index?: unknown } | null)?.index;
    byIndex.set(typeof index === 'number' ? index : position, choice);
  });
  return prompts.map((prompt, i) => {
    const choice = byIndex.get(i);
    if (choice === undefined) {
      throw new LlmError('missing-tokens', `the reply has no choice for prompt ${i}`);
    }
    const raw = protocol === 'echo' ? fromEcho(choice) : fromPromptLogprobs(choice);
    return checkCoverage(raw, prompt);
  });
}

function fromEcho(choice: unknown): PromptLogprobs {
  const lp = (choice as { logprobs?: unknown }).logprobs;
  if (lp === null || typeof lp !== 'object') {
    throw new LlmError(
      'no-logprobs',
      'the reply has no logprobs: the endpoint does not support echo with logprobs (try --protocol prompt-logprobs)',
    );
  }
  const { tokens, token_logprobs: values, text_offset: offsets } = lp as Record<string, unknown>;
  if (!Array.isArray(tokens) || !Array.isArray(values)) {
    throw new LlmError('no-logprobs', 'logprobs.tokens or logprobs.token_logprobs is missing');
  }
  if (tokens.length !== values.length) {
    throw new LlmError(
      'missing-tokens',
      `${tokens.length} tokens but ${values.length} log-probabilities`,
    );
  }
  const texts = tokens.map((t: unknown) => {
    if (typeof t !== 'string') throw new LlmError('bad-reply', 'a token is not a string');
    return t;
  });
  let starts: number[];
  if (Array.isArray(offsets)) {
    if (offsets.length !== tokens.length) {
      throw new LlmError(
        'missing-tokens',
        `${tokens.length} tokens but ${offsets.length} text offsets`,
      );
    }
    starts = offsets.map((o: unknown) => {
      if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) {
        throw new LlmError('bad-reply', 'a text offset is not a non-negative integer');
      }
      return o;
    });
  } else {
    starts = runningOffsets(texts);
  }
  return { tokens: texts, logprobs: values.map(checkLogprob), offsets: starts };
}

function fromPromptLogprobs(choice: unknown): PromptLogprobs {
  const list = (choice as { prompt_logprobs?: unknown }).prompt_logprobs;
  if (!Array.isArray(list)) {
    throw new LlmError(
      'no-logprobs',
      'the reply has no prompt_logprobs: the endpoint does not support vLLM prompt_logprobs (try --protocol echo)',
    );
  }
  const tokens: string[] = [];
  const values: (number | null)[] = [];
  for (const entry of list as unknown[]) {
    if (entry === null) {
      if (tokens.length !== 0)
        throw new LlmError('missing-tokens', 'a prompt token has no log-probability');
      // The first token's text is not given with its (absent) log-probability; it is recovered
      // from the prompt in checkCoverage.
      tokens.push('');
      values.push(null);
      continue;
    }
    if (typeof entry !== 'object')
      throw new LlmError('bad-reply', 'a prompt_logprobs entry is not an object');
    const candidates = Object.values(entry as Record<string, unknown>);
    if (candidates.length !== 1) {
      throw new LlmError(
        'bad-reply',
        `a prompt_logprobs entry has ${candidates.length} candidates; with prompt_logprobs 0 it must be the prompt token alone`,
      );
    }
    const c = candidates[0] as { logprob?: unknown; decoded_token?: unknown } | null;
    if (typeof c?.decoded_token !== 'string') {
      throw new LlmError('bad-reply', 'a prompt_logprobs entry has no decoded_token');
    }
    tokens.push(c.decoded_token);
    values.push(checkLogprob(c.logprob, tokens.length - 1));
  }
  return { tokens, logprobs: values, offsets: runningOffsets(tokens) };
}

function runningOffsets(tokens: readonly string[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const t of tokens) {
    offsets.push(at);
    at += t.length;
  }
  return offsets;
}

function checkLogprob(value: unknown, index: number): number | null {
  // Only the first token may lack a value; checkCoverage refuses a later null.
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new LlmError(
      'non-finite-logprob',
      `token ${index} has log-probability ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`,
    );
  }
  // A log-probability is at most 0; allow rounding noise.
  if (value > 1e-6) {
    throw new LlmError('bad-reply', `token ${index} has a positive log-probability ${value}`);
  }
  return Math.min(0, value);
}

function checkCoverage(raw: PromptLogprobs, prompt: string): PromptLogprobs {
  let tokens = [...raw.tokens];
  const offsets = [...raw.offsets];
  // vLLM's prompt_logprobs omits the first token's text; it is whatever precedes the second.
  if (tokens.length > 0 && tokens[0] === '' && raw.logprobs[0] === null) {
    const firstLength =
      tokens.length > 1 ? prompt.length - tokens.slice(1).join('').length : prompt.length;
    if (firstLength >= 0) {
      tokens[0] = prompt.slice(0, firstLength);
      tokens = tokens.map((t) => t);
      let at = 0;
      for (let i = 0; i < tokens.length; i++) {
        offsets[i] = at;
        at += itemAt(tokens, i).length;
      }
    }
  }
  // Keep the tokens that start inside the prompt; echo replies may append generated ones.
  const keep: number[] = [];
  for (let i = 0; i < tokens.length; i++) if (itemAt(offsets, i) < prompt.length) keep.push(i);
  const kept: PromptLogprobs = {
    tokens: keep.map((i) => itemAt(tokens, i)),
    logprobs: keep.map((i) => itemAt(raw.logprobs, i)),
    offsets: keep.map((i) => itemAt(offsets, i)),
  };
  // The tokens must tile the prompt: no gap, no overlap, ending at its end.
  let at = 0;
  for (let i = 0; i < kept.tokens.length; i++) {
    if (kept.offsets[i] !== at) {
      throw new LlmError(
        'missing-tokens',
        `the reply's tokens do not tile the prompt (gap or overlap at character ${at})`,
      );
    }
    at += itemAt(kept.tokens, i).length;
  }
  if (at < prompt.length) {
    throw new LlmError(
      'missing-tokens',
      `the reply's tokens cover ${at} of ${prompt.length} characters of the prompt`,
    );
  }
  for (let i = 1; i < kept.logprobs.length; i++) {
    if (kept.logprobs[i] === null) {
      throw new LlmError('missing-tokens', `token ${i} of the prompt has no log-probability`);
    }
  }
  return kept;
}
