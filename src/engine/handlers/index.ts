import type { FormatId } from '../../formats/sniff.js';
import type { ScannedFormat } from '../../formats/format-table.js';
import type { Handler } from '../unit.js';
import type { Compression } from '../../formats/compress/index.js';

/**
 * A handler whose module (and decoding libraries: protobufjs, jinja, WebAssembly builds) loads on
 * first use, so a run pays start-up only for the formats it meets.
 */
function lazy(load: () => Promise<Handler>): Handler {
  let loaded: Promise<Handler> | undefined;
  return async (ctx, source) => {
    loaded ??= load();
    const handler = await loaded;
    await handler(ctx, source);
  };
}

const compressed = (format: Compression): Handler =>
  lazy(async () => (await import('./compressed.js')).compressedHandler(format));

// One handler per format that FORMAT_TABLE (src/formats/format-table.ts) marks scanned: the
// record's type is derived from the table, so a missing or extra entry does not compile. A format
// without a handler is reported by the dispatcher as not recognised, so it can never pass as safe.
const TABLE: Record<ScannedFormat, Handler> = {
  gguf: lazy(async () => (await import('./gguf.js')).scanGguf),
  hdf5: lazy(async () => (await import('./hdf5.js')).scanHdf5),
  onnx: lazy(async () => (await import('./onnx.js')).scanOnnx),
  pickle: lazy(async () => (await import('./pickle.js')).pickleHandler),
  '7z': lazy(async () => (await import('./sevenzip.js')).scanSevenZip),
  'tf-savedmodel': lazy(async () => (await import('./tensorflow.js')).scanTensorflow),
  bz2: compressed('bz2'),
  gzip: compressed('gzip'),
  'joblib-zf': compressed('joblib-zf'),
  lz4: compressed('lz4'),
  lzma: compressed('lzma'),
  npy: lazy(async () => (await import('./npy.js')).npyHandler),
  safetensors: lazy(async () => (await import('./safetensors.js')).safetensorsHandler),
  tar: lazy(async () => (await import('./tar.js')).tarHandler),
  xz: compressed('xz'),
  zip: lazy(async () => (await import('./zip.js')).zipHandler),
  zlib: compressed('zlib'),
};

/** The handler of each scanned format (FORMAT_TABLE), looked up by any sniffed format. */
export const HANDLERS: Partial<Record<FormatId, Handler>> = TABLE;
