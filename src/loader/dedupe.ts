import type { ByteSource } from '../core/byte-source.js';
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
 * tensors are never merged (they share nothing). Memory: one short key per tensor.
 */
export function dedupeTensors(tensors: readonly LoadedTensor[]): Deduplicated {
  const sourceIds = new Map<ByteSource, number>();
  const first = new Map<string, string>();
  const kept: LoadedTensor[] = [];
  const aliases = new Map<string, string>();
  for (const t of tensors) {
    if (t.nbytes === 0) {
      kept.push(t);
      continue;
    }
    let id = sourceIds.get(t.storage.source);
    if (id === undefined) {
      id = sourceIds.size;
      sourceIds.set(t.storage.source, id);
    }
    const key =
      `${id}:${t.storage.start}:${t.storage.nbytes}:${t.storageOffset}:${t.dtype.name}:` +
      `${t.shape.join(',')}:${t.strides.join(',')}`;
    const owner = first.get(key);
    if (owner === undefined) {
      first.set(key, t.name);
      kept.push(t);
    } else {
      aliases.set(t.name, owner);
    }
  }
  return { tensors: kept, aliases };
}

/** The aliases as one metadata value: a JSON object, keys in code-unit order. */
export function aliasesJson(aliases: ReadonlyMap<string, string>): string {
  const entries = [...aliases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}
