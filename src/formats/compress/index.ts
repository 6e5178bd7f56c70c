export { chargeInflate, checkDeclaredInflate, inflateCap, type InflateBudget } from './budget.js';
export { decompress, decompressPrefix, type Compression } from './decompress.js';
export { decodeLz4Block, decodeLz4Frames } from './lz4-frame.js';
export { decodeLzmaAlone, readLzmaAloneHeader, type LzmaAloneHeader } from './lzma-alone.js';
export { inflateBounded, type DeflateFraming } from './zlib-family.js';
