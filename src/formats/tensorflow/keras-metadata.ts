import protobuf from 'protobufjs/light.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { protobufError } from '../protobuf/error.js';

// keras/protobuf/saved_metadata.proto: SavedMetadata { repeated SavedObject nodes = 1; }
// SavedObject { int32 node_id = 2; string node_path = 3; string identifier = 4; string metadata = 5; }
const ROOT = protobuf.Root.fromJSON({
  nested: {
    SavedMetadata: { fields: { nodes: { rule: 'repeated', type: 'SavedObject', id: 1 } } },
    SavedObject: {
      fields: {
        nodeId: { type: 'int32', id: 2 },
        nodePath: { type: 'string', id: 3 },
        identifier: { type: 'string', id: 4 },
        metadata: { type: 'string', id: 5 },
      },
    },
  },
});
const SAVED_METADATA = ROOT.lookupType('SavedMetadata');

/** One Keras object of a tf.keras SavedModel, with its JSON metadata parsed. */
export interface KerasSavedObject {
  readonly nodePath: string;
  readonly identifier: string;
  /** The parsed `metadata` JSON (class_name, config …), untouched. */
  readonly metadata: unknown;
}

/**
 * Decodes `keras_metadata.pb` (tf.keras 2.x SavedModel) and parses each object's JSON metadata,
 * which holds the layer configs (a Lambda layer's marshalled bytecode included). Throws
 * FormatError: LIMIT_EXCEEDED (input over maxInputBytes, more than maxEntries objects, metadata
 * longer than maxTextBytes), BAD_STRUCTURE (not a SavedMetadata), BAD_JSON (metadata not JSON).
 */
export function parseKerasSavedMetadata(bytes: Uint8Array, limits: Limits): KerasSavedObject[] {
  checkLimit(bytes.byteLength, limits.maxInputBytes, 'keras_metadata.pb size', 0);
  let msg: Record<string, unknown>;
  try {
    msg = SAVED_METADATA.decode(bytes);
  } catch (error) {
    throw protobufError(error);
  }
  const nodes = Array.isArray(msg.nodes) ? (msg.nodes as Record<string, unknown>[]) : [];
  checkLimit(nodes.length, limits.maxEntries, 'keras_metadata.pb objects', 0);
  if (nodes.length === 0)
    throw new FormatError('BAD_STRUCTURE', 'keras_metadata.pb has no objects', 0);
  return nodes.map((n) => {
    const text = typeof n.metadata === 'string' ? n.metadata : '';
    checkLimit(text.length, limits.maxTextBytes, 'keras object metadata length', 0);
    let metadata: unknown = null;
    if (text !== '') {
      try {
        metadata = JSON.parse(text);
      } catch (error) {
        throw new FormatError('BAD_JSON', error instanceof Error ? error.message : 'bad JSON', 0, {
          cause: error,
        });
      }
    }
    return {
      nodePath: typeof n.nodePath === 'string' ? n.nodePath : '',
      identifier: typeof n.identifier === 'string' ? n.identifier : '',
      metadata,
    };
  });
}
