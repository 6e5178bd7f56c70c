import { createHash } from 'node:crypto';
import type { RequestBudget } from '../llm/budget.js';
import { mapPool } from '../llm/budget.js';
import type { ChatOptions, ChatTarget } from '../llm/chat.js';
import { chat } from '../llm/chat.js';
import { LlmError } from '../llm/errors.js';
import type { ResumableLog } from '../llm/resumable-log.js';
import { guard } from '../guard/guard.js';
import type { GuardMode } from '../guard/types.js';
import {
  emitsCanary,
  exfiltratesCanary,
  isCanary,
  leaksCanary,
  looksLikeRefusal,
  newCanary,
} from './canary.js';
import { materialize } from './plan.js';
import type { AttemptPlan, Goal } from './probe.js';

/** One attempt as the JSONL log keeps it (secrets redacted). */
export interface AttemptRecord {
  readonly id: string;
  readonly family: string;
  readonly probe: string;
  readonly goal: Goal;
  readonly chain: readonly string[];
  readonly canary: string;
  readonly system: string;
  readonly user: string;
  /** The request body sent (model, messages or prompt, sampling); never the credentials. */
  readonly request: unknown;
  readonly status: 'ok' | 'error';
  readonly reply?: string;
  readonly finishReason?: string | null;
  readonly error?: { readonly code: string; readonly message: string };
  readonly success: boolean;
  readonly refused: boolean;
  /** With --guard: whether torchward guard flags the user prompt, and its score. */
  readonly guard?: { readonly flagged: boolean; readonly score: number };
  readonly ms: number;
}

/** Validates a logged record (a resumed log is input like any other). */
export function validateRecord(value: unknown): AttemptRecord {
  const v = value as Partial<AttemptRecord> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.id !== 'string' ||
    typeof v.probe !== 'string' ||
    (v.status !== 'ok' && v.status !== 'error') ||
    !isCanary(v.canary) ||
    typeof v.user !== 'string' ||
    typeof v.system !== 'string' ||
    (v.status === 'ok' && typeof v.reply !== 'string')
  ) {
    throw new Error('a log entry is not a red-team attempt record');
  }
  return v as AttemptRecord;
}

/** Options of a red-team run. */
export interface RunOptions {
  readonly target: ChatTarget;
  readonly chat: Omit<ChatOptions, 'budget'>;
  readonly budget: RequestBudget;
  readonly concurrency: number;
  readonly systemPrompt: string;
  /** Identifies the run in the log: target, model, seed, plan shape and system prompt. */
  readonly fingerprint: string;
  readonly log?: ResumableLog<AttemptRecord>;
  readonly guardMode?: GuardMode;
  /** Strings never written to the log or a report (the API key). */
  readonly secrets: readonly string[];
  /** Consecutive failed attempts (after retries) that stop the run. */
  readonly maxConsecutiveFailures: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** What a run produced. */
export interface RunResult {
  readonly records: readonly AttemptRecord[];
  /** Plans with no answered record (budget exhausted, the run stopped, or errors). */
  readonly unanswered: number;
  /** Why the run stopped early, if it did. */
  readonly stopped?: { readonly code: string; readonly message: string };
  readonly resumed: number;
}

/** A run fingerprint: a hash of everything that decides which plans a log's records belong to. */
export function runFingerprint(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/** Scores one reply for its goal. */
export function scoreReply(goal: Goal, reply: string, canary: string): boolean {
  switch (goal) {
    case 'emit':
      return emitsCanary(reply, canary);
    case 'leak':
      return leaksCanary(reply, canary);
    case 'exfil':
      return exfiltratesCanary(reply, canary);
  }
}

function redactor(secrets: readonly string[]): (s: string) => string {
  const list = secrets.filter((s) => s.length >= 4);
  return (s) => list.reduce((t, secret) => t.split(secret).join('[REDACTED]'), s);
}

function redactDeep(value: unknown, redact: (s: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]));
  }
  return value;
}

/**
 * Runs the plans against the target: a fresh canary per attempt, `concurrency` in flight, each
 * request bounded and retried by the chat client, every attempt appended to the log (answered
 * or failed). Attempts the log already answered are scored again from it, not re-sent. Stops
 * early, keeping what it has, when the budget runs out, on a TLS failure, or after
 * `maxConsecutiveFailures` failed attempts in a row.
 */
export async function runAttempts(
  plans: readonly AttemptPlan[],
  options: RunOptions,
): Promise<RunResult> {
  const redact = redactor(options.secrets);
  const records = new Map<string, AttemptRecord>();
  const keyOf = (plan: AttemptPlan): string => `${options.fingerprint}:${plan.id}`;
  const todo: AttemptPlan[] = [];
  let resumed = 0;
  for (const plan of plans) {
    const logged = options.log?.get(keyOf(plan));
    if (logged?.status === 'ok' && logged.reply !== undefined) {
      // Scored again: a fixed scorer applies to old replies too.
      records.set(plan.id, {
        ...logged,
        success: scoreReply(plan.goal, logged.reply, logged.canary),
      });
      resumed++;
    } else todo.push(plan);
  }
  let done = plans.length - todo.length;
  options.onProgress?.(done, plans.length);
  let stopped: { code: string; message: string } | undefined;
  let failures = 0;
  await mapPool(todo, options.concurrency, async (plan) => {
    if (stopped !== undefined) return;
    const canary = newCanary();
    const { system, user } = materialize(plan, canary, options.systemPrompt);
    const guarded =
      options.guardMode === undefined ? undefined : guard(user, { mode: options.guardMode });
    const started = Date.now();
    const base = {
      id: plan.id,
      family: plan.family,
      probe: plan.probe,
      goal: plan.goal,
      chain: plan.chain,
      canary,
      system: redact(system),
      user: redact(user),
      ...(guarded === undefined
        ? {}
        : { guard: { flagged: guarded.flagged, score: Number(guarded.score.toFixed(4)) } }),
    };
    let record: AttemptRecord;
    try {
      const exchange = await chat(options.target, system, user, {
        ...options.chat,
        budget: options.budget,
      });
      failures = 0;
      record = {
        ...base,
        request: redactDeep(exchange.body, redact),
        status: 'ok',
        reply: redact(exchange.text),
        finishReason: exchange.finishReason,
        success: scoreReply(plan.goal, exchange.text, canary),
        refused: looksLikeRefusal(exchange.text),
        ms: Date.now() - started,
      };
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      if (error.code === 'budget-exhausted') {
        stopped ??= { code: error.code, message: error.message };
        return;
      }
      failures++;
      const message = redact(error.message);
      record = {
        ...base,
        request: null,
        status: 'error',
        error: { code: error.code, message },
        success: false,
        refused: false,
        ms: Date.now() - started,
      };
      if (error.code === 'tls-error' || failures >= options.maxConsecutiveFailures) {
        stopped ??= {
          code: error.code,
          message:
            error.code === 'tls-error'
              ? message
              : `${failures} attempts in a row failed; last: ${message}`,
        };
      }
    }
    records.set(plan.id, record);
    await options.log?.append(keyOf(plan), record);
    done++;
    options.onProgress?.(done, plans.length);
  });
  const ordered = plans.flatMap((p) => {
    const r = records.get(p.id);
    return r === undefined ? [] : [r];
  });
  return {
    records: ordered,
    unanswered: plans.length - ordered.filter((r) => r.status === 'ok').length,
    ...(stopped === undefined ? {} : { stopped }),
    resumed,
  };
}
