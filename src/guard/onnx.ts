import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { guard, type GuardOptions } from './guard.js';
import type { GuardResult } from './types.js';

/**
 * A text classifier in the Hugging Face layout (`model.onnx`, `tokenizer.json`, `config.json` with
 * `id2label`, optional `tokenizer_config.json`), run on the CPU by onnxruntime-node: Llama Prompt
 * Guard 2, ProtectAI's deberta-v3 prompt-injection model or PIGuard once exported to ONNX.
 */
export interface OnnxClassifier {
  /** Label names by class index, from config.json. */
  readonly labels: readonly string[];
  /** Indices of the classes that count as an attack. */
  readonly attackLabels: readonly number[];
  /** Probability (softmax) that `text` is an attack: the sum over `attackLabels`. */
  score(text: string): Promise<number>;
  close(): Promise<void>;
}

/** Options of `loadOnnxClassifier`. */
export interface OnnxClassifierOptions {
  /** Label names that mean "attack"; default: every label matching inject/jailbreak/malicious/unsafe. */
  readonly attackLabels?: readonly string[];
  /** Most tokens given to the model (default 512); longer inputs keep their head and tail. */
  readonly maxTokens?: number;
}

// The model directory is the user's, but its files are still bounded: a config or tokenizer over
// this size is refused before parsing.
const MAX_JSON_BYTES = 64 * 1024 * 1024;

async function readJson(path: string): Promise<unknown> {
  const info = await stat(path);
  if (info.size > MAX_JSON_BYTES) throw new TypeError(`${path} is over ${MAX_JSON_BYTES} bytes`);
  return JSON.parse(await readFile(path, 'utf8')) as unknown;
}

interface Ort {
  InferenceSession: {
    create(path: string, options: object): Promise<Session>;
  };
  Tensor: new (type: string, data: BigInt64Array, dims: number[]) => unknown;
}
interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(
    feeds: Record<string, unknown>,
  ): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>>;
  release(): Promise<void>;
}
interface HfTokenizer {
  encode(
    text: string,
    options?: object,
  ): { ids: number[]; attention_mask: number[]; token_type_ids?: number[] };
}

/**
 * Loads a classifier directory. onnxruntime-node and @huggingface/tokenizers are optional
 * dependencies, imported only here. Throws a TypeError naming the missing or malformed file.
 */
export async function loadOnnxClassifier(
  dir: string,
  options: OnnxClassifierOptions = {},
): Promise<OnnxClassifier> {
  // Name every missing file at once, before any parsing or runtime loading.
  const missing: string[] = [];
  for (const name of ['model.onnx', 'tokenizer.json', 'config.json']) {
    try {
      if (!(await stat(join(dir, name))).isFile()) missing.push(name);
    } catch {
      missing.push(name);
    }
  }
  if (missing.length > 0)
    throw new TypeError(
      `${dir} is not an ONNX classifier directory: missing ${missing.join(', ')} (expected the Hugging Face layout: model.onnx, tokenizer.json, config.json with id2label; see docs/guard.md)`,
    );
  const config = (await readJson(join(dir, 'config.json'))) as { id2label?: unknown } | null;
  const id2label = config?.id2label;
  if (typeof id2label !== 'object' || id2label === null)
    throw new TypeError(`${dir}/config.json has no id2label mapping`);
  const labels: string[] = [];
  for (const [k, v] of Object.entries(id2label)) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i > 1000 || typeof v !== 'string')
      throw new TypeError(`${dir}/config.json: bad id2label entry '${k}'`);
    labels[i] = v;
  }
  if (labels.length < 2 || labels.some((l) => typeof l !== 'string'))
    throw new TypeError(`${dir}/config.json: id2label must name classes 0..n-1 (n >= 2)`);
  const wanted = options.attackLabels;
  const attackLabels = labels
    .map((l, i) => [l, i] as const)
    .filter(([l]) =>
      wanted === undefined ? /inject|jailbreak|malicious|unsafe/i.test(l) : wanted.includes(l),
    )
    .map(([, i]) => i);
  if (attackLabels.length === 0)
    throw new TypeError(
      `${dir}/config.json: no label means "attack" (labels: ${labels.join(', ')})`,
    );
  const tokenizerJson = await readJson(join(dir, 'tokenizer.json'));
  let tokenizerConfig: unknown = {};
  try {
    tokenizerConfig = await readJson(join(dir, 'tokenizer_config.json'));
  } catch {
    // optional: tokenizer.json alone describes the tokenizer
  }
  const { Tokenizer } = (await import('@huggingface/tokenizers')) as unknown as {
    Tokenizer: new (t: object, c: object) => HfTokenizer;
  };
  const tokenizer = new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
  const ort = (await import('onnxruntime-node')) as unknown as Ort;
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
  const maxTokens = options.maxTokens ?? 512;
  const output = session.outputNames[0];
  if (output === undefined) throw new TypeError(`${dir}/model.onnx has no output`);
  return {
    labels,
    attackLabels,
    async score(text) {
      const enc = tokenizer.encode(text);
      const cut = <T>(a: readonly T[]): T[] =>
        a.length <= maxTokens
          ? [...a]
          : [
              ...a.slice(0, Math.ceil(maxTokens / 2)),
              ...a.slice(a.length - Math.floor(maxTokens / 2)),
            ];
      const ids = cut(enc.ids);
      const feeds: Record<string, unknown> = {};
      const tensor = (xs: readonly number[]): unknown =>
        new ort.Tensor(
          'int64',
          BigInt64Array.from(xs, (x) => BigInt(x)),
          [1, xs.length],
        );
      for (const name of session.inputNames) {
        if (name === 'input_ids') feeds[name] = tensor(ids);
        else if (name === 'attention_mask') feeds[name] = tensor(cut(enc.attention_mask));
        else if (name === 'token_type_ids') feeds[name] = tensor(ids.map(() => 0));
        else throw new TypeError(`model input '${name}' is not one a text classifier takes`);
      }
      const out = (await session.run(feeds))[output];
      if (out?.data.length !== labels.length)
        throw new TypeError(
          `model output has ${out?.data.length ?? 0} logits for ${labels.length} labels`,
        );
      const logits = Array.from(out.data);
      const max = Math.max(...logits);
      const exps = logits.map((z) => Math.exp(z - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      return attackLabels.reduce((p, i) => p + (exps[i] ?? 0) / sum, 0);
    },
    close: () => session.release(),
  };
}

/**
 * `guard` with an ONNX classifier as one more layer: the classifier reads the sanitised text, its
 * probability becomes a `model/onnx` finding, the score is the higher of the two, and the record
 * is flagged when the guard flags it or the probability reaches `onnxThreshold` (default 0.5, the
 * published models' decision point).
 */
export async function guardWithClassifier(
  input: string | Uint8Array,
  classifier: OnnxClassifier,
  options: GuardOptions & { readonly onnxThreshold?: number } = {},
): Promise<GuardResult> {
  const base = guard(input, options);
  if (base.sanitized === null) return base;
  const p = await classifier.score(base.sanitized);
  const threshold = options.onnxThreshold ?? 0.5;
  return {
    ...base,
    score: Math.max(base.score, p),
    flagged: base.flagged || p >= threshold,
    findings: [
      ...base.findings,
      {
        stage: 'model',
        code: 'model/onnx',
        message: `ONNX classifier: ${(p * 100).toFixed(1)}% ${classifier.attackLabels.map((i) => classifier.labels[i]).join('/')}`,
        start: 0,
        end: typeof input === 'string' ? input.length : base.sanitized.length,
        weight: p,
      },
    ],
  };
}
