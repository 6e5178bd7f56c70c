/**
 * Aho-Corasick search for many lower-case ASCII keywords in one pass over a text, case-insensitive
 * as `text.toLowerCase().includes(keyword)` is: the prefilter of gitleaks' rules (a rule's regex
 * runs only on text holding one of its keywords). A text is read once, one table lookup per
 * character, whatever the number of keywords.
 */
export class KeywordSearch {
  /**
   * The DFA, failure links folded in: `next[s + classOf[c]]` for a state `s` (stored
   * premultiplied by the row width) and an ASCII code `c` is the next state, negated when
   * keywords end there. One typed-array load and one sign test per character.
   */
  private readonly next: Int32Array;
  /**
   * Character classes: each ASCII character that occurs in a keyword has its own (upper case
   * shares its lower case's), every other character is class 0 (it sends every state to the
   * root). Rows of 64 entries instead of 128 make the table a few times smaller, and the search
   * faster, since the next state's load depends on the last one.
   */
  private readonly classOf: Uint8Array;
  /** log2 of the row width. */
  private readonly shift: number;
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
    const classOf = new Uint8Array(128);
    const representative: number[] = [0];
    for (const k of keywords) {
      for (let i = 0; i < k.length; i++) {
        const c = k.charCodeAt(i);
        if (classOf[c] === 0) {
          classOf[c] = representative.length;
          representative.push(c);
        }
      }
    }
    for (let c = 65; c <= 90; c++) classOf[c] = classOf[c + 32] ?? 0;
    const shift = representative.length <= 64 ? 6 : 7;
    // The search table: premultiplied targets, negated where keywords end. Class 0 is any
    // character no keyword holds: from every state it leads to the root.
    const next = new Int32Array(states << shift);
    for (let state = 0; state < states; state++) {
      representative.forEach((c, cls) => {
        const to = cls === 0 ? 0 : (goto[state * 128 + c] ?? 0);
        next[(state << shift) + cls] =
          (outputs[to]?.length ?? 0) > 0 ? -(to << shift) : to << shift;
      });
    }
    this.next = next;
    this.classOf = classOf;
    this.shift = shift;
    this.outputs = outputs;
  }

  /**
   * Calls `found(index)` for every keyword occurring in `text` (a keyword may be reported more
   * than once). Case folding is `toLowerCase`'s: A-Z, and the two non-ASCII characters whose
   * lower case is ASCII (U+212A KELVIN SIGN is `k`, U+0130 is `i` then a combining dot).
   */
  search(text: string, found: (index: number) => void): void {
    const next = this.next;
    const classOf = this.classOf;
    // The classes of `k` and `i`, for the two non-ASCII characters that fold to them.
    const kClass = classOf[107] ?? 0;
    const iClass = classOf[105] ?? 0;
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        // The root is never an output state, so no output state is 0 and the sign says it all.
        state = next[state + (classOf[c] ?? 0)] ?? 0;
        if (state < 0) state = this.report(-state, found);
        continue;
      }
      if (c === 0x212a) {
        state = next[state + kClass] ?? 0;
        if (state < 0) state = this.report(-state, found);
      } else if (c === 0x130) {
        // "İ".toLowerCase() is "i̇": an `i` that no keyword can continue.
        state = next[state + iClass] ?? 0;
        if (state < 0) this.report(-state, found);
        state = 0;
      } else state = 0;
    }
  }

  /** True when some keyword occurs in `text` (search's semantics, stopping at the first). */
  any(text: string): boolean {
    const next = this.next;
    const classOf = this.classOf;
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        state = next[state + (classOf[c] ?? 0)] ?? 0;
        if (state < 0) return true;
      } else if (c === 0x212a || c === 0x130) {
        // The two non-ASCII characters that fold to ASCII: the full search decides.
        let hit = false;
        this.search(text, () => (hit = true));
        return hit;
      } else state = 0;
    }
    return false;
  }

  /** Reports the keywords ending at `state` (premultiplied); returns the state to go on from. */
  private report(state: number, found: (index: number) => void): number {
    for (const k of this.outputs[state >> this.shift] ?? []) found(k);
    return state;
  }
}
