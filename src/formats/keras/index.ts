import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';

/** Where a Keras model configuration came from. */
export type KerasContainer = 'keras-zip' | 'h5' | 'keras-metadata';

/** A decoded Keras model configuration (`config.json` of a .keras zip, or `model_config` of an .h5). */
export interface KerasConfig {
  readonly container: KerasContainer;
  /** The parsed JSON, untouched (objects are plain JSON objects, never merged into ours). */
  readonly root: unknown;
  /** Keras version recorded beside it (metadata.json `keras_version` or the h5 attribute), if any. */
  readonly kerasVersion: string | undefined;
}

/**
 * Parses a Keras model configuration. Throws FormatError: LIMIT_EXCEEDED when `text` is longer than
 * maxTextBytes, BAD_JSON when it is not JSON, BAD_STRUCTURE when it is not an object.
 */
export function parseKerasConfig(
  text: string,
  container: KerasContainer,
  kerasVersion: string | undefined,
  limits: Limits,
): KerasConfig {
  checkLimit(text.length, limits.maxTextBytes, 'Keras config length', 0);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new FormatError('BAD_JSON', error instanceof Error ? error.message : 'bad JSON', 0, {
      cause: error,
    });
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new FormatError('BAD_STRUCTURE', 'a Keras config is a JSON object', 0);
  }
  return { container, root, kerasVersion };
}

/**
 * Reads `keras_version` from a .keras `metadata.json` text; undefined when absent.
 * Throws FormatError BAD_JSON / LIMIT_EXCEEDED like `parseKerasConfig`.
 */
export function parseKerasMetadata(text: string, limits: Limits): string | undefined {
  checkLimit(text.length, limits.maxTextBytes, 'Keras metadata length', 0);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new FormatError('BAD_JSON', error instanceof Error ? error.message : 'bad JSON', 0, {
      cause: error,
    });
  }
  if (typeof root !== 'object' || root === null) return undefined;
  const v = (root as Record<string, unknown>).keras_version;
  return typeof v === 'string' ? v : undefined;
}
