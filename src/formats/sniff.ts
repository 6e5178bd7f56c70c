import { isOnnxHead } from './onnx/sniff.js';
import { isGraphDefHead, isKerasMetadataHead, isSavedModelHead } from './tensorflow/sniff.js';

/**
 * Format identification by content, never by name: the consumer (torch, numpy, joblib) does not
 * look at the extension either, and attackers rename files (bypass C1).
 */
export type FormatId =
  | 'zip'
  | 'tar'
  | 'gzip'
  | 'bz2'
  | 'xz'
  | 'lzma'
  | 'zlib'
  | 'lz4'
  | 'zstd'
  | '7z'
  | 'npy'
  | 'safetensors'
  | 'gguf'
  | 'hdf5'
  | 'onnx'
  | 'tf-savedmodel'
  | 'joblib-zf'
  | 'pickle'
  | 'unknown';

/** How many leading bytes `sniffFormat` wants to see. */
export const SNIFF_BYTES = 4096;

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean =>
  b.byteLength >= at + sig.length && sig.every((v, i) => b[at + i] === v);

/**
 * Names the format of a unit from its first bytes (`head`, at least SNIFF_BYTES or the whole
 * unit) and its total size. Pickle detection by content is delegated to `looksLikePickle`, since a
 * protocol 0/1 pickle has no magic at all.
 */
export function sniffFormat(
  head: Uint8Array,
  size: number,
  looksLikePickle: (head: Uint8Array) => boolean,
): FormatId {
  // zip: local header, or an empty archive's end record. torch checks exactly PK\x03\x04.
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    return 'zip';
  }
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(head, [0x42, 0x5a, 0x68])) return 'bz2';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(head, [0x04, 0x22, 0x4d, 0x18])) return 'lz4';
  if (startsWith(head, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy';
  if (startsWith(head, [0x47, 0x47, 0x55, 0x46])) return 'gguf';
  if (startsWith(head, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return 'hdf5';
  // ustar magic at offset 257 ("ustar\0" POSIX or "ustar  \0" GNU).
  if (startsWith(head, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return 'tar';
  if (isSafetensorsHead(head, size)) return 'safetensors';
  // joblib < 0.10 compressed files (numpy_pickle_compat): 'ZF', the payload length as 19
  // characters of hex ('0x…' padded), then the zlib stream at offset 21.
  if (startsWith(head, [0x5a, 0x46, 0x30, 0x78]) && isZlibHeader(head, 21)) return 'joblib-zf';
  if (isZlibHeader(head, 0)) return 'zlib';
  // lzma "alone": properties byte 0x5d and a dictionary size; joblib writes this for .lzma.
  if (startsWith(head, [0x5d, 0x00, 0x00])) return 'lzma';
  // Protobuf model files have no magic: conservative structural checks (issue 4).
  if (isOnnxHead(head, size)) return 'onnx';
  if (
    isSavedModelHead(head, size) ||
    isGraphDefHead(head, size) ||
    isKerasMetadataHead(head, size)
  ) {
    return 'tf-savedmodel';
  }
  if (looksLikePickle(head)) return 'pickle';
  return 'unknown';
}

/** RFC 1950 header: CM 8, CINFO ≤ 7, and (CMF·256 + FLG) divisible by 31. */
export function isZlibHeader(b: Uint8Array, at: number): boolean {
  const cmf = b[at];
  const flg = b[at + 1];
  if (cmf === undefined || flg === undefined) return false;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0;
}

/**
 * A u64 LE header length followed by '{' (or JSON whitespace, then '{'). The length need not fit
 * the file: a prefix larger than the file is safetensors attack #1, and the safetensors decoder
 * then reports the exact reason instead of "unknown format".
 */
function isSafetensorsHead(b: Uint8Array, size: number): boolean {
  if (b.byteLength < 10 || size < 10) return false;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = view.getBigUint64(0, true);
  if (n < 2n) return false;
  for (let i = 8; i < b.byteLength; i++) {
    const c = b[i];
    if (c === 0x7b) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}
