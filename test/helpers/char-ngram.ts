import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real (if small) language model for the memorization tests: an interpolated character
// n-gram model, p_k(c | h) = (count(h c) + beta * p_{k-1}(c | h')) / (count(h) + beta), down to
// a uniform distribution over printable ASCII. With a long context and a small beta it
// overfits, which is the case the memorization measurements exist to catch.

const ALPHABET_SIZE = 96;

/** A trained character n-gram model. */
export class CharNgram {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly totals = new Map<string, number>();

  constructor(
    readonly order: number,
    readonly beta: number,
  ) {}

  /** Counts every character of `text` under each of its contexts of length 0..order-1. */
  train(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      for (let k = 0; k < this.order && k <= i; k++) {
        const h = text.slice(i - k, i);
        let m = this.counts.get(h);
        if (m === undefined) {
          m = new Map();
          this.counts.set(h, m);
        }
        m.set(c, (m.get(c) ?? 0) + 1);
        this.totals.set(h, (this.totals.get(h) ?? 0) + 1);
      }
    }
  }

  /** Natural log of p(c | the text before it). */
  logProb(history: string, c: string): number {
    let p = 1 / ALPHABET_SIZE;
    const longest = Math.min(this.order - 1, history.length);
    for (let k = 0; k <= longest; k++) {
      const h = history.slice(history.length - k);
      const total = this.totals.get(h) ?? 0;
      const count = this.counts.get(h)?.get(c) ?? 0;
      p = (count + this.beta * p) / (total + this.beta);
    }
    return Math.log(p);
  }

  /** The most likely next character (for the one generated token real servers append). */
  greedy(history: string): string {
    const h = history.slice(Math.max(0, history.length - this.order + 1));
    const m = this.counts.get(h);
    if (m === undefined) return ' ';
    return [...m.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  }
}

/** How the test server answers (the failure modes a real endpoint can show). */
export type ServerMode = 'ok' | 'no-logprobs' | 'nan' | 'missing-token' | 'flaky';

/** A running OpenAI-compatible completions server backed by a model. */
export interface ModelServer {
  readonly url: string;
  requests: number;
  mode: ServerMode;
  /** Characters per token (1 = character tokens; 3 makes tokens straddle the canary boundary). */
  tokenLength: number;
  close(): Promise<void>;
}

function tokenize(text: string, length: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += length) out.push(text.slice(i, i + length));
  return out;
}

/**
 * Serves `/v1/completions` as OpenAI's legacy completions API does with `echo: true` and
 * `logprobs: k` (choices[i].logprobs.tokens / token_logprobs / text_offset / top_logprobs, the
 * first token's log-probability null, one generated token appended), and vLLM's
 * `prompt_logprobs` (choices[i].prompt_logprobs: null, then {tokenId: {logprob, rank,
 * decoded_token}}), on a free loopback port.
 */
export async function serveModel(model: CharNgram): Promise<ModelServer> {
  const state = { requests: 0, mode: 'ok' as ServerMode, tokenLength: 1 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      if (req.method !== 'POST' || req.url !== '/v1/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      if (state.mode === 'flaky' && state.requests % 3 !== 0) {
        res.writeHead(state.requests % 2 === 0 ? 503 : 429, {
          'content-type': 'application/json',
          'retry-after': '0',
        });
        res.end(JSON.stringify({ error: { message: 'overloaded' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const prompts: string[] = Array.isArray(body.prompt) ? body.prompt : [body.prompt];
      const choices = prompts.map((prompt, index) => {
        const tokens = tokenize(prompt, state.tokenLength);
        const values: (number | null)[] = [];
        const offsets: number[] = [];
        let at = 0;
        for (const t of tokens) {
          offsets.push(at);
          if (at === 0) values.push(null);
          else {
            let lp = 0;
            for (let j = 0; j < t.length; j++) lp += model.logProb(prompt.slice(0, at + j), t[j]!);
            values.push(lp);
          }
          at += t.length;
        }
        const generated = model.greedy(prompt);
        if (body.prompt_logprobs !== undefined) {
          return {
            index,
            text: generated,
            logprobs: null,
            finish_reason: 'length',
            prompt_logprobs: tokens.map((t, i) =>
              i === 0
                ? null
                : { [String(1000 + i)]: { logprob: values[i], rank: 1, decoded_token: t } },
            ),
          };
        }
        if (state.mode === 'no-logprobs' || body.echo !== true || body.logprobs === undefined) {
          return { index, text: generated, logprobs: null, finish_reason: 'length' };
        }
        const allTokens = [...tokens, generated];
        const allValues = [...values, model.logProb(prompt, generated)];
        const allOffsets = [...offsets, prompt.length];
        if (state.mode === 'missing-token') {
          const drop = Math.floor(tokens.length / 2);
          allTokens.splice(drop, 1);
          allValues.splice(drop, 1);
          allOffsets.splice(drop, 1);
        }
        return {
          index,
          text: prompt + generated,
          logprobs: {
            tokens: allTokens,
            token_logprobs: allValues,
            text_offset: allOffsets,
            top_logprobs: allTokens.map((t, i) => (i === 0 ? null : { [t]: allValues[i] })),
          },
          finish_reason: 'length',
        };
      });
      let json = JSON.stringify({
        id: `cmpl-${state.requests}`,
        object: 'text_completion',
        created: 1_700_000_000,
        model: body.model ?? 'char-ngram',
        choices,
        usage: {
          prompt_tokens: 0,
          completion_tokens: prompts.length,
          total_tokens: prompts.length,
        },
      });
      // Python's json module writes a NaN log-probability as a bare NaN.
      if (state.mode === 'nan')
        json = json.replace(/"token_logprobs":\[null,(-?[\d.e-]+)/, '"token_logprobs":[null,NaN');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(json);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    set requests(n: number) {
      state.requests = n;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: ServerMode) {
      state.mode = m;
    },
    get tokenLength() {
      return state.tokenLength;
    },
    set tokenLength(n: number) {
      state.tokenLength = n;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => {
          ok();
        });
      }),
  };
}
