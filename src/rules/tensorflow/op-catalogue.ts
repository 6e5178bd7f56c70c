/** Why an op is dangerous in a model graph. */
export type OpRisk = 'python' | 'file-write' | 'file-read' | 'network' | 'output';

/**
 * TensorFlow ops that reach outside the graph when a model runs, by risk. Documented with reasons
 * in docs/rules/tensorflow/dangerous-op.md. Saver ops (SaveV2, RestoreV2, MergeV2Checkpoints,
 * ShardedFilename) are deliberately absent: every SavedModel contains them for checkpointing and
 * they run only when the caller saves or restores.
 */
export const DANGEROUS_OPS: ReadonlyMap<string, OpRisk> = new Map<string, OpRisk>([
  // Call a Python function registered in the loading process (tf.py_function / tf.numpy_function).
  ['PyFunc', 'python'],
  ['PyFuncStateless', 'python'],
  ['EagerPyFunc', 'python'],
  // Write or create files at a path taken from the graph.
  ['WriteFile', 'file-write'],
  ['DatasetToTFRecord', 'file-write'],
  ['ExperimentalDatasetToTFRecord', 'file-write'],
  ['CreateSummaryFileWriter', 'file-write'],
  ['SaveDataset', 'file-write'],
  ['SaveDatasetV2', 'file-write'],
  ['SnapshotDataset', 'file-write'],
  ['SnapshotDatasetV2', 'file-write'],
  ['CreateSummaryDbWriter', 'file-write'],
  // Read or list files at a path taken from the graph.
  ['ReadFile', 'file-read'],
  ['MatchingFiles', 'file-read'],
  ['MatchingFilesDataset', 'file-read'],
  ['ExperimentalMatchingFilesDataset', 'file-read'],
  ['WholeFileReader', 'file-read'],
  ['WholeFileReaderV2', 'file-read'],
  ['TextLineReader', 'file-read'],
  ['TextLineReaderV2', 'file-read'],
  ['FixedLengthRecordReader', 'file-read'],
  ['FixedLengthRecordReaderV2', 'file-read'],
  ['TFRecordReader', 'file-read'],
  ['TFRecordReaderV2', 'file-read'],
  ['ImmutableConst', 'file-read'],
  ['LoadDataset', 'file-read'],
  // tf.data sources that open the files named by their `filenames` input (a Const in the graph).
  ['TextLineDataset', 'file-read'],
  ['TFRecordDataset', 'file-read'],
  ['TFRecordDatasetV2', 'file-read'],
  ['FixedLengthRecordDataset', 'file-read'],
  ['FixedLengthRecordDatasetV2', 'file-read'],
  ['CSVDataset', 'file-read'],
  ['CSVDatasetV2', 'file-read'],
  ['ExperimentalCSVDataset', 'file-read'],
  ['LMDBDataset', 'file-read'],
  ['ExperimentalLMDBDataset', 'file-read'],
  ['LMDBReader', 'file-read'],
  ['SqlDataset', 'file-read'],
  ['ExperimentalSqlDataset', 'file-read'],
  // Talk to the network.
  ['Rpc', 'network'],
  ['TryRpc', 'network'],
  ['RpcCall', 'network'],
  ['DataServiceDataset', 'network'],
  ['DataServiceDatasetV2', 'network'],
  // Write to a stream or URL chosen in the graph (output_stream "file://…", debug_urls).
  ['PrintV2', 'output'],
  ['DebugIdentity', 'output'],
  ['DebugIdentityV2', 'output'],
  ['DebugNanCount', 'output'],
  ['DebugNumericSummary', 'output'],
]);
