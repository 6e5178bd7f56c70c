/** One JSON object inside a Keras config, with its logical path. */
export interface ConfigObject {
  readonly value: Readonly<Record<string, unknown>>;
  readonly path: readonly (string | number)[];
}

// A model config with a million JSON objects is far beyond any real model (a few thousand layers).
const MAX_OBJECTS = 1_000_000;

/**
 * Every JSON object in `root`, depth-first in document order, with an explicit stack (no
 * recursion); stops after MAX_OBJECTS and then reports `complete: false`.
 */
export function configObjects(root: unknown): { objects: ConfigObject[]; complete: boolean } {
  const objects: ConfigObject[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    const { value, path } = item;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i] as unknown, path: [...path, i] });
    } else if (typeof value === 'object' && value !== null) {
      if (objects.length >= MAX_OBJECTS) return { objects, complete: false };
      const record = value as Readonly<Record<string, unknown>>;
      objects.push({ value: record, path });
      const keys = Object.keys(record);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] ?? '';
        stack.push({ value: record[key], path: [...path, key] });
      }
    }
  }
  return { objects, complete: true };
}

/** The string at `key` of `obj`, or undefined. */
export function stringAt(obj: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}

/** The layer name (`config.name`) of a layer object, or its class name. */
export function layerName(obj: Readonly<Record<string, unknown>>): string {
  const config = obj.config;
  const name =
    typeof config === 'object' && config !== null
      ? (config as Record<string, unknown>).name
      : undefined;
  return typeof name === 'string' ? name : (stringAt(obj, 'class_name') ?? '?');
}

/** True for modules that belong to Keras itself. */
export function isKerasModule(module: string): boolean {
  return /^(?:keras|tf_keras|tensorflow\.keras|tensorflow\.python\.keras)(?:\.|$)/.test(module);
}
