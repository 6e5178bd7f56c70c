import type { FormatId } from '../../formats/sniff.js';
import type { Handler } from '../unit.js';
import { scanGguf } from './gguf.js';
import { scanOnnx } from './onnx.js';
import { pickleHandler } from './pickle.js';

// One handler per sniffed format, listed by hand. A format without a handler here is reported by
// the dispatcher as not recognised, so it can never pass as safe.
export const HANDLERS: Partial<Record<FormatId, Handler>> = {
  gguf: scanGguf,
  onnx: scanOnnx,
  pickle: pickleHandler,
};
