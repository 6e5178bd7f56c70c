import type { ByteSource } from '../core/byte-source.js';
import { compareText } from '../core/finding.js';
import type { LoadedTensor } from './tensor.js';

/** The metadata key under which dropped aliases are recorded: JSON `{dropped: kept}`. */
export const ALIASES_KEY = 'torchward.aliases';

/** Tensors after dropping identical views, and what each dropped name aliased. */
export interface Deduplicated {
  readonly tensors: LoadedTensor[];
  /** Dropped name → the kept name it is identical to. */
  readonly aliases: Map<string, string>;
}

/**
 * Drops every tensor that is an identical view of an earlier one (same storage, offset, dtype,
 * shape and strides: tied weights such as GPT-2's `lm_head.weight` and `transformer.wte.weight`),
 * keeping the first name in checkpoint order, as a model's own state dict order puts the owning
 * module first. Views of one storage that differ in any of those stay separate tensors. Empty
 * tensors are never merged (they share nothing). Memory: two numbers per tensor (the tensors
 * are sorted by index so that identical views fall next to each other; no key text is built).
 */
export function dedupeTensors(tensors: readonly LoadedTensor[]): Deduplicated {
  const sourceIds = new Map<ByteSource, number>();
  const ids = new Float64Array(tensors.length);
  tensors.forEach((t, i) => {
    let id = sourceIds.get(t.storage.source);
    if (id === undefined) {
      id = sourceIds.size;
      sourceIds.set(t.storage.source, id);
    }
    ids[i] = id;
  });
  const order: number[] = [];
  tensors.forEach((t, i) => {
    if (t.nbytes > 0) order.push(i);
  });
  const compare = (i: number, j: number): number => {
    const a = tensors[i];
    const b = tensors[j];
    if (a === undefined || b === undefined) return 0;
    return (
      (ids[i] ?? 0) - (ids[j] ?? 0) ||
      a.storage.start - b.storage.start ||
      a.storage.nbytes - b.storage.nbytes ||
      a.storageOffset - b.storageOffset ||
      compareText(a.dtype.name, b.dtype.name) ||
      compareDims(a.shape, b.shape) ||
      compareDims(a.strides, b.strides)
    );
  };
  // Ties keep checkpoint order (Array.prototype.sort is stable), so each run of identical views
  // starts with its first name.
  order.sort(compare);
  const owner = new Int32Array(tensors.length).fill(-1);
  for (let k = 1, first = order[0] ?? 0; k < order.length; k++) {
    const i = order[k] ?? 0;
    if (compare(first, i) === 0) owner[i] = first;
    else first = i;
  }
  const kept: LoadedTensor[] = [];
  const aliases = new Map<string, string>();
  tensors.forEach((t, i) => {
    const o = owner[i] ?? -1;
    if (o < 0) kept.push(t);
    else aliases.set(t.name, tensors[o]?.name ?? '');
  });
  return { tensors: kept, aliases };
}

/** Orders two lists of dimensions: by length, then element by element. */
function compareDims(a: readonly number[], b: readonly number[]): number {
  if (a === b) return 0;
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The aliases as one metadata value: a JSON object, keys in code-unit order. */
export function aliasesJson(aliases: ReadonlyMap<string, string>): string {
  const entries = [...aliases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}
