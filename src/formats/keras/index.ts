import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { parseStrictJson, plainJson } from '../json/strict-json.js';

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
  const root = strictJson(text);
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
  const root = strictJson(text);
  if (typeof root !== 'object' || root === null) return undefined;
  const v = (root as Record<string, unknown>).keras_version;
  return typeof v === 'string' ? v : undefined;
}

// The strict parser: a repeated key (which two JSON readers may resolve differently) or nesting
// past MAX_JSON_DEPTH is refused. Its offsets count UTF-16 units of the JSON text, while a Keras
// config's unit is a zip member's or an HDF5 file's bytes, so errors stay at offset 0 as before.
function strictJson(text: string): unknown {
  try {
    return plainJson(parseStrictJson(text));
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new FormatError(error.code, error.message, 0, { cause: error });
  }
}
