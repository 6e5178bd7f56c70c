/**
 * Aho-Corasick search for many lower-case ASCII keywords in one pass over a text, case-insensitive
 * as `text.toLowerCase().includes(keyword)` is: the prefilter of gitleaks' rules (a rule's regex
 * runs only on text holding one of its keywords). A text is read once, one table lookup per
 * character, whatever the number of keywords.
 */
export class KeywordSearch {
  /** goto[state * 128 + ascii]: the next state (a full DFA, failure links folded in). */
  private readonly next: Int32Array;
  /** The keyword indices that end at each state (its own and its failure chain's). */
  private readonly outputs: readonly (readonly number[])[];
  /** The keywords, in the order given. */
  readonly keywords: readonly string[];

  /** `keywords` must be lower-case ASCII (gitleaks' keywords are). */
  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const edges: Map<number, number>[] = [new Map<number, number>()];
    const own: number[][] = [[]];
    keywords.forEach((k, index) => {
      let state = 0;
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i);
        if (c >= 128 || (c >= 65 && c <= 90))
          throw new RangeError(`keyword ${JSON.stringify(k)} is not lower-case ASCII`);
        let to = edges[state]?.get(c);
        if (to === undefined) {
          to = edges.length;
          edges.push(new Map<number, number>());
          own.push([]);
          edges[state]?.set(c, to);
        }
        state = to;
      }
      own[state]?.push(index);
    });
    const states = edges.length;
    const next = new Int32Array(states * 128);
    const fail = new Int32Array(states);
    const outputs: number[][] = own.map((o) => [...o]);
    // Breadth first, so a state's failure target is complete before the state is.
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const to = edges[0]?.get(c) ?? 0;
      next[c] = to;
      if (to !== 0) queue.push(to);
    }
    for (let q = 0; q < queue.length; q++) {
      const state = queue[q] ?? 0;
      const f = fail[state] ?? 0;
      for (const k of outputs[f] ?? []) outputs[state]?.push(k);
      for (let c = 0; c < 128; c++) {
        const to = edges[state]?.get(c);
        if (to === undefined) next[state * 128 + c] = next[f * 128 + c] ?? 0;
        else {
          next[state * 128 + c] = to;
          fail[to] = state === 0 ? 0 : (next[f * 128 + c] ?? 0);
          queue.push(to);
        }
      }
    }
    this.next = next;
    this.outputs = outputs;
  }

  /**
   * Calls `found(index)` for every keyword occurring in `text` (a keyword may be reported more
   * than once). Case folding is `toLowerCase`'s: A-Z, and the two non-ASCII characters whose
   * lower case is ASCII (U+212A KELVIN SIGN is `k`, U+0130 is `i` then a combining dot).
   */
  search(text: string, found: (index: number) => void): void {
    const next = this.next;
    const outputs = this.outputs;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 128) {
        if (c === 0x212a) c = 107;
        else if (c === 0x130) {
          // "İ".toLowerCase() is "i̇": an `i` that no keyword can continue.
          state = next[state * 128 + 105] ?? 0;
          for (const k of outputs[state] ?? []) found(k);
          state = 0;
          continue;
        } else {
          state = 0;
          continue;
        }
      } else if (c >= 65 && c <= 90) c += 32;
      state = next[state * 128 + c] ?? 0;
      if (state !== 0) {
        const out = outputs[state];
        if (out !== undefined && out.length > 0) for (const k of out) found(k);
      }
    }
  }
}
