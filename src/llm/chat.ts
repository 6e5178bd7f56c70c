import type { RequestBudget } from './budget.js';
import { LlmError } from './errors.js';
import { parseJsonReply, postForText } from './http-json.js';
import { runCommand } from './run-command.js';

/** Which OpenAI-compatible API a prompt goes to. */
export type ChatApi = 'chat' | 'completions';

/** Where prompts are sent. */
export type ChatTarget =
  | {
      readonly kind: 'url';
      /** The API base as OpenAI clients take it: `http://host:port` or `.../v1` (or a full path). */
      readonly url: string;
      readonly api: ChatApi;
      /** Ask for a server-sent event stream and assemble it. */
      readonly stream: boolean;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'command'; readonly argv: readonly string[]; readonly api: ChatApi };

/** Bounds and retry policy of one prompt. */
export interface ChatOptions {
  readonly budget: RequestBudget;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly backoffMs: number;
  readonly maxResponseBytes: number;
  readonly maxTokens: number;
  readonly model?: string;
  readonly beforeRequest?: () => Promise<void>;
}

/** One exchange: the request body sent (no credentials) and the assembled reply text. */
export interface ChatExchange {
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly finishReason: string | null;
}

/** `http://host:port` and `.../v1` get `/v1/<api path>` appended; a full path is kept. */
export function endpointUrl(base: string, api: ChatApi): string {
  const path = api === 'chat' ? 'chat/completions' : 'completions';
  const trimmed = base.replace(/\/+$/, '');
  if (trimmed.endsWith('/completions')) return trimmed;
  if (trimmed.endsWith('/v1')) return `${trimmed}/${path}`;
  return `${trimmed}/v1/${path}`;
}

/** The prompt of the legacy completions API: a plain transcript the model continues. */
export function completionPrompt(system: string, user: string): string {
  return `${system}\n\nUser: ${user}\nAssistant:`;
}

/**
 * Sends one system + user prompt and returns the reply text. Chat requests carry the two
 * messages; completions requests a transcript (`completionPrompt`). Temperature 0. Streams are
 * read whole (bounded by `maxResponseBytes`) and their deltas joined. Throws `LlmError`.
 */
export async function chat(
  target: ChatTarget,
  system: string,
  user: string,
  options: ChatOptions,
): Promise<ChatExchange> {
  const body: Record<string, unknown> = {
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(target.api === 'chat'
      ? {
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
        }
      : { prompt: completionPrompt(system, user) }),
    temperature: 0,
    max_tokens: options.maxTokens,
  };
  if (target.kind === 'command') {
    await options.beforeRequest?.();
    const reply = await runCommand(target.argv, body, options);
    return { body, ...readReply(reply, target.api) };
  }
  if (target.stream) body.stream = true;
  const reply = await postForText(endpointUrl(target.url, target.api), body, {
    ...options,
    ...(target.headers === undefined ? {} : { headers: target.headers }),
  });
  const isStream =
    reply.contentType.startsWith('text/event-stream') || /^\s*data:/.test(reply.text);
  return {
    body,
    ...(isStream
      ? readStream(reply.text, target.api)
      : readReply(parseJsonReply(reply.text), target.api)),
  };
}

function choiceOf(reply: unknown): Record<string, unknown> {
  if (reply === null || typeof reply !== 'object' || Array.isArray(reply)) {
    throw new LlmError('bad-reply', 'the reply is not a JSON object');
  }
  const r = reply as Record<string, unknown>;
  if (r.error !== undefined) {
    const err = r.error;
    const message =
      typeof err === 'object' && err !== null && 'message' in err ? err.message : undefined;
    throw new LlmError(
      'bad-reply',
      `the endpoint answered with an error: ${typeof message === 'string' ? message.slice(0, 200) : 'no message'}`,
    );
  }
  const choice = Array.isArray(r.choices) ? (r.choices[0] as unknown) : undefined;
  if (choice === null || typeof choice !== 'object') {
    throw new LlmError('bad-reply', 'the reply has no choices[0]');
  }
  return choice as Record<string, unknown>;
}

/** Text of a message content: a string, null (no text) or a list of `{type: 'text', text}` parts. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((p) => {
        const text = (p as { text?: unknown } | null)?.text;
        return typeof text === 'string' ? text : '';
      })
      .join('');
  }
  return undefined;
}

function finishOf(choice: Record<string, unknown>): string | null {
  return typeof choice.finish_reason === 'string' ? choice.finish_reason : null;
}

function readReply(reply: unknown, api: ChatApi): { text: string; finishReason: string | null } {
  const choice = choiceOf(reply);
  const text =
    api === 'chat'
      ? contentText((choice.message as { content?: unknown } | null)?.content)
      : typeof choice.text === 'string'
        ? choice.text
        : undefined;
  if (text === undefined) {
    throw new LlmError(
      'bad-reply',
      api === 'chat' ? 'choices[0].message.content is not text' : 'choices[0].text is not text',
    );
  }
  return { text, finishReason: finishOf(choice) };
}

/** Joins the deltas of a server-sent event stream (`data: {...}` lines up to `data: [DONE]`). */
function readStream(text: string, api: ChatApi): { text: string; finishReason: string | null } {
  let out = '';
  let finishReason: string | null = null;
  let events = 0;
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') break;
    if (data === '') continue;
    const event = parseJsonReply(data);
    // A usage-only chunk (stream_options.include_usage) has an empty choices list.
    if (Array.isArray((event as { choices?: unknown } | null)?.choices)) {
      if ((event as { choices: unknown[] }).choices.length === 0) continue;
    }
    const choice = choiceOf(event);
    events++;
    const piece =
      api === 'chat'
        ? contentText((choice.delta as { content?: unknown } | null)?.content)
        : typeof choice.text === 'string'
          ? choice.text
          : '';
    if (piece === undefined) throw new LlmError('bad-reply', 'a stream delta is not text');
    out += piece;
    finishReason = finishOf(choice) ?? finishReason;
  }
  if (events === 0) throw new LlmError('bad-reply', 'the event stream carries no data event');
  return { text: out, finishReason };
}
