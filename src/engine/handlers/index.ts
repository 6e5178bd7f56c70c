import type { FormatId } from '../../formats/sniff.js';
import type { Handler } from '../unit.js';
import { compressedHandler } from './compressed.js';
import { scanGguf } from './gguf.js';
import { scanHdf5 } from './hdf5.js';
import { npyHandler } from './npy.js';
import { scanOnnx } from './onnx.js';
import { pickleHandler } from './pickle.js';
import { safetensorsHandler } from './safetensors.js';
import { scanSevenZip } from './sevenzip.js';
import { tarHandler } from './tar.js';
import { scanTensorflow } from './tensorflow.js';
import { zipHandler } from './zip.js';

// One handler per sniffed format, listed by hand. A format without a handler here is reported by
// the dispatcher as not recognised, so it can never pass as safe.
export const HANDLERS: Partial<Record<FormatId, Handler>> = {
  gguf: scanGguf,
  hdf5: scanHdf5,
  onnx: scanOnnx,
  pickle: pickleHandler,
  '7z': scanSevenZip,
  'tf-savedmodel': scanTensorflow,
  bz2: compressedHandler('bz2'),
  gzip: compressedHandler('gzip'),
  'joblib-zf': compressedHandler('joblib-zf'),
  lz4: compressedHandler('lz4'),
  lzma: compressedHandler('lzma'),
  npy: npyHandler,
  safetensors: safetensorsHandler,
  tar: tarHandler,
  xz: compressedHandler('xz'),
  zip: zipHandler,
  zlib: compressedHandler('zlib'),
};
