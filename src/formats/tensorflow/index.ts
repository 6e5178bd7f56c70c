import protobuf from 'protobufjs/light.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { protobufError } from '../protobuf/error.js';
import { TF_SCHEMA } from './schema.js';
import { isSavedModelHead } from './sniff.js';
import { isMsg, list, str, type Msg } from '../protobuf/message.js';

/** One node of a graph or function body. */
export interface TfNode {
  readonly op: string;
  readonly name: string;
  /** String attributes (`token` of PyFunc, `filename` …), decoded as UTF-8 where possible. */
  readonly stringAttrs: readonly (readonly [string, string])[];
  /** ['meta_graphs', 0, 'graph_def', 'node', 3] or ['graph_def', 'library', 'function', 'f', 'node_def', 1]. */
  readonly path: readonly (string | number)[];
}

/** What torchward reads from a SavedModel or a frozen GraphDef. */
export interface TfGraph {
  readonly kind: 'saved-model' | 'graph-def';
  /** Every node of every graph and of every library function. */
  readonly nodes: readonly TfNode[];
  /** Names of the library functions. */
  readonly functions: readonly string[];
}

const ROOT = protobuf.Root.fromJSON(TF_SCHEMA);
const SAVED_MODEL = ROOT.lookupType('tensorflow.SavedModel');
const GRAPH_DEF = ROOT.lookupType('tensorflow.GraphDef');

/**
 * Decodes a `saved_model.pb` (SavedModel) or a frozen GraphDef `.pb` from `bytes`, choosing by
 * content, and lists every node of the graphs and of their function libraries. Throws FormatError:
 * LIMIT_EXCEEDED (input over maxInputBytes, more than maxEntries nodes, nesting past protobufjs's
 * 100-level guard), BAD_STRUCTURE (not decodable as the chosen message).
 */
export function parseTensorflowGraph(bytes: Uint8Array, limits: Limits): TfGraph {
  checkLimit(bytes.byteLength, limits.maxInputBytes, 'TensorFlow graph size', 0);
  const kind = isSavedModelHead(bytes.subarray(0, 4096), bytes.byteLength)
    ? 'saved-model'
    : 'graph-def';
  let msg: Msg;
  try {
    msg = (kind === 'saved-model' ? SAVED_MODEL : GRAPH_DEF).decode(bytes);
  } catch (error) {
    throw protobufError(error);
  }
  const graphs: { graph: Msg; path: (string | number)[] }[] =
    kind === 'saved-model'
      ? list(msg.metaGraphs).flatMap((m, i) =>
          isMsg(m.graphDef) ? [{ graph: m.graphDef, path: ['meta_graphs', i, 'graph_def'] }] : [],
        )
      : [{ graph: msg, path: [] }];
  const nodes: TfNode[] = [];
  const functions: string[] = [];
  const add = (n: Msg, path: (string | number)[]): void => {
    checkLimit(nodes.length + 1, limits.maxEntries, 'TensorFlow nodes', 0);
    nodes.push({ op: str(n.op), name: str(n.name), stringAttrs: stringAttrs(n.attr), path });
  };
  for (const { graph, path } of graphs) {
    list(graph.node).forEach((n, i) => {
      add(n, [...path, 'node', i]);
    });
    const library = graph.library;
    if (!isMsg(library)) continue;
    for (const f of list(library.function)) {
      const name = isMsg(f.signature) ? str(f.signature.name) : '';
      functions.push(name);
      list(f.nodeDef).forEach((n, i) => {
        add(n, [...path, 'library', 'function', name, 'node_def', i]);
      });
    }
  }
  if (kind === 'saved-model' && graphs.length === 0) {
    throw new FormatError('BAD_STRUCTURE', 'SavedModel has no graph', 0);
  }
  // Unknown fields decode silently: a GraphDef with no node at all is not one (sniffing saw one).
  if (kind === 'graph-def' && nodes.length === 0) {
    throw new FormatError('BAD_STRUCTURE', 'GraphDef has no nodes', 0);
  }
  return { kind, nodes, functions };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function stringAttrs(attr: unknown): (readonly [string, string])[] {
  if (!isMsg(attr)) return [];
  const out: (readonly [string, string])[] = [];
  for (const key of Object.keys(attr).sort()) {
    const v = attr[key];
    const s = isMsg(v) ? v.s : undefined;
    if (!(s instanceof Uint8Array) || s.byteLength === 0 || s.byteLength > 4096) continue;
    try {
      out.push([key, UTF8.decode(s)]);
    } catch {
      // A binary attribute is not a name or path: nothing to report from it.
    }
  }
  return out;
}
