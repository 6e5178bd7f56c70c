/**
 * Aho-Corasick search for many lower-case ASCII keywords in one pass over a text, case-insensitive
 * as `text.toLowerCase().includes(keyword)` is: the prefilter of gitleaks' rules (a rule's regex
 * runs only on text holding one of its keywords). A text is read once, one table lookup per
 * character, whatever the number of keywords.
 */
export class KeywordSearch {
  /**
   * The DFA, failure links folded in: `next[s + c]` for a state `s` (stored premultiplied by
   * 128) and an ASCII code `c` (upper case folded to lower case in the table itself) is the next
   * state, negated when keywords end there. One typed-array load and one sign test per character.
   */
  private readonly next: Int32Array;
  /** The keyword indices that end at each state (its own and its failure chain's), by state. */
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
    const goto = new Int32Array(states * 128);
    const fail = new Int32Array(states);
    const outputs: number[][] = own.map((o) => [...o]);
    // Breadth first, so a state's failure target is complete before the state is.
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const to = edges[0]?.get(c) ?? 0;
      goto[c] = to;
      if (to !== 0) queue.push(to);
    }
    for (let q = 0; q < queue.length; q++) {
      const state = queue[q] ?? 0;
      const f = fail[state] ?? 0;
      for (const k of outputs[f] ?? []) outputs[state]?.push(k);
      for (let c = 0; c < 128; c++) {
        const to = edges[state]?.get(c);
        if (to === undefined) goto[state * 128 + c] = goto[f * 128 + c] ?? 0;
        else {
          goto[state * 128 + c] = to;
          fail[to] = state === 0 ? 0 : (goto[f * 128 + c] ?? 0);
          queue.push(to);
        }
      }
    }
    // The search table: premultiplied targets, negated where keywords end, upper case folded.
    const next = new Int32Array(states * 128);
    for (let state = 0; state < states; state++) {
      for (let c = 0; c < 128; c++) {
        const lower = c >= 65 && c <= 90 ? c + 32 : c;
        const to = goto[state * 128 + lower] ?? 0;
        next[state * 128 + c] = (outputs[to]?.length ?? 0) > 0 ? -(to * 128) : to * 128;
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
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        // The root is never an output state, so no output state is 0 and the sign says it all.
        state = next[state + c] ?? 0;
        if (state < 0) state = this.report(-state, found);
        continue;
      }
      if (c === 0x212a) {
        state = next[state + 107] ?? 0;
        if (state < 0) state = this.report(-state, found);
      } else if (c === 0x130) {
        // "İ".toLowerCase() is "i̇": an `i` that no keyword can continue.
        state = next[state + 105] ?? 0;
        if (state < 0) this.report(-state, found);
        state = 0;
      } else state = 0;
    }
  }

  /** True when some keyword occurs in `text` (search's semantics, stopping at the first). */
  any(text: string): boolean {
    const next = this.next;
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        state = next[state + c] ?? 0;
        if (state < 0) return true;
      } else if (c === 0x212a || c === 0x130) {
        // The two non-ASCII characters that fold to ASCII: the full search decides.
        return this.anyBySearch(text);
      } else state = 0;
    }
    return false;
  }

  /**
   * The search table, for a caller that runs the search inside its own loop over bytes
   * (json-bytes.ts): for a state `s` (0 at the start, premultiplied by 128) and an ASCII code
   * `c`, `table[s + c]` is the next state, negative (and then negated) where a keyword ends.
   * A non-ASCII character goes back to state 0, except U+212A and U+0130 (see `any`).
   */
  get table(): Int32Array {
    return this.next;
  }

  /**
   * `any` by the full search. Apart from `any`, whose loop V8 compiles tighter without a
   * closure in it (measured: a quarter less CPU time over the bench's records).
   */
  private anyBySearch(text: string): boolean {
    let hit = false;
    this.search(text, () => (hit = true));
    return hit;
  }

  /** Reports the keywords ending at `state` (premultiplied); returns the state to go on from. */
  private report(state: number, found: (index: number) => void): number {
    for (const k of this.outputs[state >> 7] ?? []) found(k);
    return state;
  }
}
