import protobuf from 'protobufjs/light.js';
import { FormatError, checkLimit } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { ONNX_SCHEMA } from './schema.js';
import { protobufError } from '../protobuf/error.js';
import { isMsg, list, str, type Msg } from '../protobuf/message.js';

/** A logical path into the model: ['graph', 'node', 3, 'attribute', 'body', 'node', 0]. */
export type OnnxPath = readonly (string | number)[];

export interface OnnxOpsetImport {
  readonly domain: string;
  readonly version: number;
}

export interface OnnxNodeInfo {
  readonly opType: string;
  /** '' is the default domain (ai.onnx). */
  readonly domain: string;
  readonly name: string;
  readonly path: OnnxPath;
}

/** A tensor stored outside the model file (data_location EXTERNAL or external_data entries). */
export interface OnnxExternalTensor {
  readonly name: string;
  /** The external_data key/value pairs in file order (location, offset, length, checksum). */
  readonly entries: readonly (readonly [string, string])[];
  readonly path: OnnxPath;
}

export interface OnnxFunctionInfo {
  readonly name: string;
  readonly domain: string;
  readonly path: OnnxPath;
}

/** What torchward reads from an ONNX ModelProto. */
export interface OnnxModel {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly opsetImports: readonly OnnxOpsetImport[];
  /** Every node of the main graph, nested graphs (If/Loop/Scan bodies), training graphs and functions. */
  readonly nodes: readonly OnnxNodeInfo[];
  readonly externalTensors: readonly OnnxExternalTensor[];
  readonly functions: readonly OnnxFunctionInfo[];
  readonly metadata: readonly (readonly [string, string])[];
}

// Real models nest subgraphs a few levels deep (Loop in If in Scan); a deeper nest is a bomb.
// protobufjs already refuses more than 100 nested messages (3 per subgraph level); this is a
// second guard on the walk itself.
/** Deepest nesting of subgraphs walked. */
export const MAX_GRAPH_DEPTH = 64;
const GRAPH_DEPTH_MESSAGE = `subgraphs nested deeper than ${MAX_GRAPH_DEPTH}`;

const ROOT = protobuf.Root.fromJSON(ONNX_SCHEMA);
const MODEL = ROOT.lookupType('onnx.ModelProto');

/**
 * Decodes an ONNX ModelProto from `bytes` and flattens what the rules need: opset imports, every
 * node (with nested graphs in attributes, training graphs and functions), tensors with external
 * data, and metadata. Throws FormatError: LIMIT_EXCEEDED (input over maxInputBytes, more than
 * maxEntries nodes and tensors, subgraphs deeper than MAX_GRAPH_DEPTH), BAD_STRUCTURE (not a
 * decodable protobuf ModelProto, or no graph).
 */
export function parseOnnxModel(bytes: Uint8Array, limits: Limits): OnnxModel {
  checkLimit(bytes.byteLength, limits.maxInputBytes, 'ONNX model size', 0);
  let msg: Msg;
  try {
    msg = MODEL.decode(bytes);
  } catch (error) {
    throw protobufError(error);
  }
  const graph = msg.graph;
  if (!isMsg(graph)) {
    throw new FormatError('BAD_STRUCTURE', 'ModelProto has no graph', 0);
  }
  const nodes: OnnxNodeInfo[] = [];
  const externalTensors: OnnxExternalTensor[] = [];
  const functions: OnnxFunctionInfo[] = [];
  let count = 0;
  const bump = (): void => {
    count++;
    checkLimit(count, limits.maxEntries, 'ONNX nodes and tensors', 0);
  };
  // Explicit stack of graphs (and function bodies) still to walk.
  const stack: {
    readonly nodes: readonly Msg[];
    readonly tensors: readonly Msg[];
    readonly path: OnnxPath;
    readonly depth: number;
  }[] = [];
  const pushGraph = (g: Msg, path: OnnxPath, depth: number): void => {
    checkLimit(depth, MAX_GRAPH_DEPTH, 'subgraph depth', 0, GRAPH_DEPTH_MESSAGE);
    const sparse = list(g.sparseInitializer).flatMap((s) => [s.values, s.indices].filter(isMsg));
    stack.push({ nodes: list(g.node), tensors: [...list(g.initializer), ...sparse], path, depth });
  };
  pushGraph(graph, ['graph'], 0);
  list(msg.trainingInfo).forEach((t, i) => {
    if (isMsg(t.initialization))
      pushGraph(t.initialization, ['training_info', i, 'initialization'], 0);
    if (isMsg(t.algorithm)) pushGraph(t.algorithm, ['training_info', i, 'algorithm'], 0);
  });
  list(msg.functions).forEach((f, i) => {
    const path = ['functions', i];
    functions.push({ name: str(f.name), domain: str(f.domain), path });
    stack.push({ nodes: list(f.node), tensors: [], path, depth: 0 });
  });
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === undefined) break;
    item.tensors.forEach((t, i) => {
      bump();
      visitTensor(t, [...item.path, 'initializer', i], externalTensors);
    });
    item.nodes.forEach((n, i) => {
      bump();
      const path = [...item.path, 'node', i];
      nodes.push({ opType: str(n.opType), domain: str(n.domain), name: str(n.name), path });
      for (const a of list(n.attribute)) {
        const apath = [...path, 'attribute', str(a.name)];
        if (isMsg(a.g)) pushGraph(a.g, apath, item.depth + 1);
        list(a.graphs).forEach((g, j) => {
          pushGraph(g, [...apath, j], item.depth + 1);
        });
        if (isMsg(a.t)) visitTensor(a.t, apath, externalTensors);
        list(a.tensors).forEach((t, j) => {
          visitTensor(t, [...apath, j], externalTensors);
        });
        const sparse = [a.sparseTensor, ...list(a.sparseTensors)].filter(isMsg);
        for (const s of sparse) {
          for (const t of [s.values, s.indices].filter(isMsg))
            visitTensor(t, apath, externalTensors);
        }
      }
    });
  }
  return {
    irVersion: num(msg.irVersion),
    producerName: str(msg.producerName),
    producerVersion: str(msg.producerVersion),
    opsetImports: list(msg.opsetImport).map((o) => ({
      domain: str(o.domain),
      version: num(o.version),
    })),
    nodes: nodes.sort((a, b) => comparePaths(a.path, b.path)),
    externalTensors: externalTensors.sort((a, b) => comparePaths(a.path, b.path)),
    functions,
    metadata: list(msg.metadataProps).map((e) => [str(e.key), str(e.value)] as const),
  };
}

// TensorProto.DataLocation EXTERNAL = 1 (onnx.proto).
const EXTERNAL = 1;

function visitTensor(t: Msg, path: OnnxPath, out: OnnxExternalTensor[]): void {
  const entries = list(t.externalData).map((e) => [str(e.key), str(e.value)] as const);
  if (t.dataLocation === EXTERNAL || entries.length > 0)
    out.push({ name: str(t.name), entries, path });
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  // int64 fields decode to Long objects when the `long` package is present.
  if (isMsg(v) && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as unknown as { toNumber: () => number }).toNumber();
  }
  return 0;
}

/** Orders logical paths element by element (numbers numerically), for deterministic output. */
function comparePaths(a: OnnxPath, b: OnnxPath): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}
