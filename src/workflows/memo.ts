/**
 * A memo slot on objects: `get`/`set` read and write a symbol-keyed property of the key object,
 * so the memoised value lives and dies with it. (A plain assignment: `Object.defineProperty` to
 * make it non-enumerable cost 3% of the audit. Symbol keys stay out of JSON, `Object.keys` and
 * `for…in`.)
 *
 * Why not a WeakMap: V8's minor GC keeps the values of WeakMap entries whose keys are still
 * young, so memoising thousands of short-lived workflow nodes in WeakMaps made every scavenge
 * copy them; on the 2,000-workflow bench the audit spent ~40% of its time in GC (measured:
 * `ci/merge-job-hardening` alone, 1,160 ms with WeakMaps against 630 ms with slots).
 * Keys must be ordinary extensible objects (the workflow model's are).
 */
export class Memo<K extends object, V> {
  private readonly slot: symbol;

  constructor(name: string) {
    this.slot = Symbol(name);
  }

  get(key: K): V | undefined {
    return (key as Record<symbol, V | undefined>)[this.slot];
  }

  set(key: K, value: V): void {
    (key as Record<symbol, V>)[this.slot] = value;
  }

  has(key: K): boolean {
    return Object.prototype.hasOwnProperty.call(key, this.slot);
  }
}
