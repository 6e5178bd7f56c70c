/**
 * Memo slots for objects of the workflow model (jobs, steps, models, audit inputs).
 *
 * Why not WeakMaps: V8's minor GC keeps the values of WeakMap entries whose keys are still young,
 * so memoising thousands of short-lived workflow objects in WeakMaps made every scavenge copy
 * them; on the 2,000-workflow bench the audit spent ~40% of its time in GC (`ci/merge-job-hardening`
 * alone: 1,160 ms with WeakMaps against 630 ms with slots on the objects).
 *
 * Why a store declared at creation (`[MEMO]: newMemoStore()` in the object literal) rather than a
 * property added on first use: adding properties later changes the object's hidden class, and
 * code optimised for the old one is thrown away and compiled again (measured as "wrong map"
 * deoptimisations). The store object takes the new properties instead. Objects created without a
 * store get one on first use.
 */
export const MEMO: unique symbol = Symbol('memo');

/** The per-object store; its keys are the slots of the Memo instances. */
export type MemoStore = Record<symbol, unknown>;

/** A fresh store, for the `[MEMO]` field of an object literal. */
export function newMemoStore(): MemoStore {
  return {};
}

interface HasStore {
  [MEMO]?: MemoStore;
}

export class Memo<K extends object, V> {
  private readonly slot: symbol;

  constructor(name: string) {
    this.slot = Symbol(name);
  }

  get(key: K): V | undefined {
    return (key as HasStore)[MEMO]?.[this.slot] as V | undefined;
  }

  set(key: K, value: V): void {
    const holder = key as HasStore;
    const store = holder[MEMO] ?? (holder[MEMO] = newMemoStore());
    store[this.slot] = value;
  }

  /**
   * The memoised value for `key`, computing and storing `compute(key)` on the first call (an
   * `undefined` result is remembered too).
   */
  cached(key: K, compute: (key: K) => V): V {
    const holder = key as HasStore;
    const store = holder[MEMO] ?? (holder[MEMO] = newMemoStore());
    if (this.slot in store) return store[this.slot] as V;
    const value = compute(key);
    store[this.slot] = value;
    return value;
  }

  has(key: K): boolean {
    return (key as HasStore)[MEMO]?.[this.slot] !== undefined;
  }
}
