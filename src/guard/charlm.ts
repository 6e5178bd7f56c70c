// A character n-gram language model: the perplexity signal of the adversarial-suffix layer.
// NeMo Guardrails flags GCG suffixes by their GPT-2 perplexity; torchward ships no neural model,
// so it measures how surprising each word is to a small interpolated (Witten-Bell) character
// model of ordinary text. An optimised token soup ("oppositeley.](", "argueRIPT`),") is full of
// character sequences English prose and code rarely contain. Trained by
// `npm run train:guard-suffix` on the train split of data/guard/*.jsonl; the counts ship inside
// suffix-model.json.

/** Symbols: printable ASCII (32..126), tab and newline read as a space, anything else one symbol. */
export const LM_SYMBOLS = 96;

/** The LM symbol of one UTF-16 code unit. */
export function lmSymbol(c: number): number {
  if (c >= 32 && c <= 126) return c - 32;
  if (c === 9 || c === 10 || c === 13) return 0;
  return 95;
}

/** The serialised model: `order` tables of n-gram counts (n = 1..order). */
export interface CharLmArtifact {
  readonly order: number;
  /**
   * Per n (index n - 1): entries `gram + count (base 36) + "\n"`, the gram exactly n symbols,
   * non-ASCII written as U+007F.
   */
  readonly tables: readonly string[];
}

/** A loaded model: counts by integer key per order, and context totals and distinct follow-ups. */
export class CharLm {
  readonly order: number;
  private readonly grams: Map<number, number>[];
  // Per order n: context key -> [total count, distinct next symbols].
  private readonly ctx: Map<number, [number, number]>[];

  constructor(a: CharLmArtifact) {
    this.order = a.order;
    this.grams = [];
    this.ctx = [];
    for (let n = 1; n <= a.order; n++) {
      const g = new Map<number, number>();
      const h = new Map<number, [number, number]>();
      const t = a.tables[n - 1] ?? '';
      let i = 0;
      while (i + n < t.length) {
        let key = 0;
        for (let j = 0; j < n; j++) {
          const ch = t.charCodeAt(i + j);
          key = key * 128 + (ch === 127 ? 95 : ch - 32);
        }
        const nl = t.indexOf('\n', i + n);
        if (nl < 0) break;
        const count = parseInt(t.slice(i + n, nl), 36);
        i = nl + 1;
        if (!(count > 0)) continue;
        g.set(key, count);
        const ck = Math.floor(key / 128);
        const s = h.get(ck);
        if (s === undefined) h.set(ck, [count, 1]);
        else {
          s[0] += count;
          s[1] += 1;
        }
      }
      this.grams.push(g);
      this.ctx.push(h);
    }
  }

  /**
   * Total surprisal in bits of `text` after the context `before` (the symbols preceding it),
   * and the number of symbols scored. At most the first 256 code units of `text` are read.
   */
  surprisal(text: string, before = ' '): { bits: number; n: number } {
    const N = this.order;
    const hist: number[] = [];
    for (let i = Math.max(0, before.length - (N - 1)); i < before.length; i++)
      hist.push(lmSymbol(before.charCodeAt(i)));
    let bits = 0;
    const len = Math.min(text.length, 256);
    for (let i = 0; i < len; i++) {
      const c = lmSymbol(text.charCodeAt(i));
      let p = 1 / LM_SYMBOLS;
      let ctxKey = 0;
      for (let n = 1; n <= N; n++) {
        // The context of order n is the last n - 1 symbols.
        if (n > 1) {
          const k = hist.length - (n - 1);
          if (k < 0) break;
          ctxKey = 0;
          for (let j = k; j < hist.length; j++) ctxKey = ctxKey * 128 + (hist[j] ?? 0);
        }
        const s = this.ctx[n - 1]?.get(ctxKey);
        if (s === undefined) break;
        const cnt = this.grams[n - 1]?.get(ctxKey * 128 + c) ?? 0;
        p = (cnt + s[1] * p) / (s[0] + s[1]);
      }
      bits -= Math.log2(p);
      hist.push(c);
      if (hist.length > N - 1) hist.shift();
    }
    return { bits, n: len };
  }
}

/** Counts n-grams (n = 1..order) of `texts` into an artifact, dropping grams of n >= 3 seen fewer than `minCount` times. */
export function trainCharLm(
  texts: Iterable<string>,
  order: number,
  minCount: number,
): CharLmArtifact {
  const counts: Map<number, number>[] = [];
  for (let n = 1; n <= order; n++) counts.push(new Map());
  for (const text of texts) {
    const syms = [0];
    for (let i = 0; i < text.length; i++) syms.push(lmSymbol(text.charCodeAt(i)));
    for (let i = 1; i < syms.length; i++) {
      let key = 0;
      for (let n = 1; n <= order && i - n + 1 >= 0; n++) {
        // key of the gram syms[i-n+1 .. i]
        key = 0;
        for (let j = i - n + 1; j <= i; j++) key = key * 128 + (syms[j] ?? 0);
        const m = counts[n - 1];
        if (m !== undefined) m.set(key, (m.get(key) ?? 0) + 1);
      }
    }
  }
  const tables: string[] = [];
  for (let n = 1; n <= order; n++) {
    const parts: string[] = [];
    const entries = [...(counts[n - 1] ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]);
    for (const [key, count] of entries) {
      if (n >= 3 && count < minCount) continue;
      let gram = '';
      let k = key;
      for (let j = 0; j < n; j++) {
        const s = k % 128;
        gram = String.fromCharCode(s === 95 ? 127 : s + 32) + gram;
        k = Math.floor(k / 128);
      }
      parts.push(`${gram}${count.toString(36)}\n`);
    }
    tables.push(parts.join(''));
  }
  return { order, tables };
}
