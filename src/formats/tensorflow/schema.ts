/**
 * The subset of TensorFlow's protos that torchward reads, as a protobufjs JSON descriptor.
 * Field numbers follow tensorflow/core/protobuf/saved_model.proto (SavedModel),
 * meta_graph.proto (MetaGraphDef), and core/framework graph.proto (GraphDef), node_def.proto
 * (NodeDef), function.proto (FunctionDefLibrary, FunctionDef), op_def.proto (OpDef) and
 * attr_value.proto (AttrValue). TensorFlow is not installed here: the numbers were checked against
 * published copies of those files, and the tests encode fixtures with an independent writer.
 * Unlisted fields (tensors, shapes, saver, signatures …) are skipped without being materialised.
 */
export const TF_SCHEMA = {
  nested: {
    tensorflow: {
      nested: {
        SavedModel: {
          fields: {
            savedModelSchemaVersion: { type: 'int64', id: 1 },
            metaGraphs: { rule: 'repeated', type: 'MetaGraphDef', id: 2 },
          },
        },
        MetaGraphDef: {
          fields: { graphDef: { type: 'GraphDef', id: 2 } },
        },
        GraphDef: {
          fields: {
            node: { rule: 'repeated', type: 'NodeDef', id: 1 },
            library: { type: 'FunctionDefLibrary', id: 2 },
          },
        },
        NodeDef: {
          fields: {
            name: { type: 'string', id: 1 },
            op: { type: 'string', id: 2 },
            attr: { keyType: 'string', type: 'AttrValue', id: 5 },
          },
        },
        AttrValue: {
          fields: { s: { type: 'bytes', id: 2 } },
        },
        FunctionDefLibrary: {
          fields: { function: { rule: 'repeated', type: 'FunctionDef', id: 1 } },
        },
        FunctionDef: {
          fields: {
            signature: { type: 'OpDef', id: 1 },
            nodeDef: { rule: 'repeated', type: 'NodeDef', id: 3 },
          },
        },
        OpDef: {
          fields: { name: { type: 'string', id: 1 } },
        },
      },
    },
  },
} as const;
