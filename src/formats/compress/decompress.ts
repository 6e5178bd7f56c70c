import Bunzip from 'seek-bzip';
import { FormatError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { chargeInflate, checkDeclaredInflate, inflateCap, type InflateBudget } from './budget.js';
import { decodeLz4Frames } from './lz4-frame.js';
import { decodeLzmaAlone, readLzmaAloneHeader } from './lzma-alone.js';
import { CappedOutput, PartialOutputError } from './output-buffer.js';
import { inflateBounded, inflatePrefix } from './zlib-family.js';
import { partialCap } from './budget.js';

/** Every single-stream compression torchward unwraps (joblib `compress=`, `.pkl.gz` …). */
export type Compression = 'gzip' | 'zlib' | 'deflate' | 'bz2' | 'xz' | 'lzma' | 'lz4' | 'joblib-zf';

/** joblib < 0.10 `ZF` files: 'ZF', the length as `0x…` hex padded to 19 bytes, then zlib. */
const ZF_HEADER = 2 + 19;

/**
 * Decompresses `input` entirely in memory, never past the output cap of `inflateCap` (size,
 * ratio and the file's remaining total), and charges the output to `budget`. `offset` is where
 * `input` starts in the file. Errors are FormatErrors: BAD_MAGIC, TRUNCATED, BAD_STRUCTURE,
 * BAD_LENGTH, UNSUPPORTED_*, LIMIT_EXCEEDED; nothing else escapes.
 */
export async function decompress(
  kind: Compression,
  input: Uint8Array,
  limits: Limits,
  budget: InflateBudget,
  offset = 0,
): Promise<Uint8Array> {
  if (input.byteLength === 0) throw new FormatError('TRUNCATED', 'empty compressed stream', offset);
  switch (kind) {
    case 'gzip':
      // Multi-member gzip (concatenated members) is decoded whole, as Python's gzip does.
      return inflateStreamed('gzip', input, limits, budget, offset);
    case 'zlib':
      return inflateStreamed('zlib', input, limits, budget, offset);
    case 'deflate':
      return inflateStreamed('raw', input, limits, budget, offset);
    case 'joblib-zf':
      return decodeJoblibZf(input, limits, budget, offset);
    case 'bz2':
      return charged(
        budget,
        decodeBz2(
          input,
          inflateCap(limits, budget, input.byteLength, offset),
          offset,
          budget.deadline,
        ),
      );
    case 'lzma': {
      const cap = inflateCap(limits, budget, input.byteLength, offset);
      const header = readLzmaAloneHeader(input, offset);
      if (header.unpackSize !== undefined) {
        checkDeclaredInflate(limits, budget, input.byteLength, header.unpackSize, offset);
      }
      return charged(
        budget,
        wrap(() => decodeLzmaAlone(input, cap, offset, budget.deadline), offset),
      );
    }
    case 'lz4':
      return charged(
        budget,
        wrap(
          () =>
            decodeLz4Frames(
              input,
              inflateCap(limits, budget, input.byteLength, offset),
              offset,
              budget.deadline,
            ),
          offset,
        ),
      );
    case 'xz':
      return charged(
        budget,
        await decodeXz(
          input,
          inflateCap(limits, budget, input.byteLength, offset),
          offset,
          budget.deadline,
        ),
      );
  }
}

/**
 * DEFLATE as a stream into one buffer of the cap (committed as written): memory follows the
 * output, with no chunk list to join at the end (node's one-shot inflate holds the output twice
 * at that moment). A stream stopped by the cap, cut off or corrupt throws a PartialOutputError
 * that carries what it produced.
 */
async function inflateStreamed(
  framing: 'gzip' | 'zlib' | 'raw',
  input: Uint8Array,
  limits: Limits,
  budget: InflateBudget,
  offset: number,
): Promise<Uint8Array> {
  const cap = inflateCap(limits, budget, input.byteLength, offset);
  const { bytes, stopped } = await inflatePrefix(framing, input, cap, offset, budget.deadline);
  if (stopped !== undefined) {
    throw new PartialOutputError(stopped.code, stopped.message, stopped.offset, bytes);
  }
  chargeInflate(budget, bytes.byteLength);
  return bytes;
}

function charged(budget: InflateBudget, out: Uint8Array): Uint8Array {
  chargeInflate(budget, out.byteLength);
  return out;
}

/** Runs a hand-written decoder; anything but a FormatError is a corrupt-input symptom. */
function wrap(decode: () => Uint8Array, offset: number): Uint8Array {
  try {
    return decode();
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError('BAD_STRUCTURE', String(error), offset, { cause: error });
  }
}

function decodeJoblibZf(
  input: Uint8Array,
  limits: Limits,
  budget: InflateBudget,
  offset: number,
): Uint8Array {
  if (input.byteLength < ZF_HEADER) throw new FormatError('TRUNCATED', 'ZF header cut off', offset);
  if (input[0] !== 0x5a || input[1] !== 0x46)
    throw new FormatError('BAD_MAGIC', 'not a ZF file', offset);
  const field = new TextDecoder('latin1').decode(input.subarray(2, ZF_HEADER));
  // joblib writes hex(len) left-justified with spaces; it reads it back with int(…, 16).
  const m = /^\s*(?:0[xX])?([0-9a-fA-F]{1,16})\s*$/.exec(field);
  if (m === null)
    throw new FormatError('BAD_STRUCTURE', `ZF length field ${JSON.stringify(field)}`, offset + 2);
  const declared = Number.parseInt(m[1] ?? '', 16);
  const packed = input.subarray(ZF_HEADER);
  checkDeclaredInflate(limits, budget, packed.byteLength, declared, offset + 2);
  const out = inflateBounded('zlib', packed, limits, budget, offset + ZF_HEADER, declared + 1);
  if (out.byteLength !== declared) {
    throw new FormatError(
      'BAD_LENGTH',
      `ZF declares ${declared} bytes, holds ${out.byteLength}`,
      offset + 2,
    );
  }
  return out;
}

function decodeBz2(input: Uint8Array, cap: number, offset: number, deadline?: number): Uint8Array {
  if (input.byteLength < 4) throw new FormatError('TRUNCATED', 'bzip2 header cut off', offset);
  if (input[0] !== 0x42 || input[1] !== 0x5a || input[2] !== 0x68) {
    throw new FormatError('BAD_MAGIC', 'not a bzip2 stream', offset);
  }
  const out = new CappedOutput(cap, offset, input.byteLength * 4, deadline);
  let pos = 0;
  // seek-bzip stops silently when the input ends between blocks (before the end-of-stream
  // marker). Its end-of-input check right after a block follows output; the legitimate one
  // follows the stream CRC (input). Answering "not yet" after output makes the next read throw.
  let lastWasOutput = false;
  const inStream = {
    readByte(): number {
      const b = input[pos];
      // seek-bzip reads on past the end without noticing; stop it here.
      if (b === undefined)
        throw new FormatError('TRUNCATED', 'bzip2 stream ends early', offset + pos);
      pos++;
      lastWasOutput = false;
      return b;
    },
    /** Fills `buffer` (the 4-byte stream header); -1 at the end, as seek-bzip expects. */
    read(buffer: Uint8Array, at: number, length: number): number {
      const n = Math.min(length, input.byteLength - pos);
      if (n <= 0) return -1;
      buffer.set(input.subarray(pos, pos + n), at);
      pos += n;
      lastWasOutput = false;
      return n;
    },
    eof: (): boolean => pos >= input.byteLength && !lastWasOutput,
  };
  const outStream = {
    writeByte(b: number): void {
      lastWasOutput = true;
      out.push(b);
    },
  };
  try {
    Bunzip.decode(inStream, outStream, true);
    // A header alone ('BZh9') has no end-of-stream marker: seek-bzip accepts it, bzip2 does not.
    if (pos <= 4)
      throw new FormatError('TRUNCATED', 'bzip2 stream has no blocks or end marker', offset + pos);
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError('BAD_STRUCTURE', `corrupt bzip2 stream: ${String(error)}`, offset, {
      cause: error,
    });
  }
  return out.bytes();
}

// xz-embedded return codes: 5 format error (magic), 7 data error, 8 buffer error (input ends).
const XZ_CODES = new Map<string, 'BAD_MAGIC' | 'BAD_STRUCTURE' | 'TRUNCATED'>([
  ['5', 'BAD_MAGIC'],
  ['7', 'BAD_STRUCTURE'],
  ['8', 'TRUNCATED'],
]);

/**
 * xz through xz-decompress (xz-embedded in WebAssembly). It only offers a web stream, so this is
 * async; the stream is cancelled as soon as the output passes `cap`.
 */
async function decodeXz(
  input: Uint8Array,
  cap: number,
  offset: number,
  deadline?: number,
): Promise<Uint8Array> {
  const out = new CappedOutput(cap, offset, input.byteLength * 4, deadline);
  // Loaded on first use: its WebAssembly start-up would otherwise slow every CLI run.
  const { default: xzDecompress } = await import('xz-decompress');
  const stream = new xzDecompress.XzReadableStream(new Blob([input]).stream());
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out.append(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof FormatError) throw error;
    const code = /error code (\d+)/.exec(String(error))?.[1] ?? '';
    throw new FormatError(XZ_CODES.get(code) ?? 'BAD_STRUCTURE', `xz: ${String(error)}`, offset, {
      cause: error,
    });
  }
  return out.bytes();
}

/**
 * What `decompress` produced before `error` stopped it, so a payload in front of a bomb's padding
 * (or of a cut-off end) is still parsed: the DEFLATE framings are inflated again as a stream up to
 * `partialCap`; the other decoders hand over their buffer with the error. The bytes are charged
 * to `budget`. Empty when nothing can be recovered (a bad magic, a budget already spent).
 */
export async function decompressPrefix(
  kind: Compression,
  input: Uint8Array,
  error: FormatError,
  limits: Limits,
  budget: InflateBudget,
  offset = 0,
): Promise<Uint8Array> {
  if (error.code === 'BAD_MAGIC') return new Uint8Array(0);
  let out: Uint8Array;
  if (error instanceof PartialOutputError) {
    out = error.partial;
  } else if (kind === 'gzip' || kind === 'zlib' || kind === 'deflate' || kind === 'joblib-zf') {
    const cap = partialCap(limits, budget, input.byteLength);
    if (cap <= 0) return new Uint8Array(0);
    const framing = kind === 'gzip' ? 'gzip' : kind === 'deflate' ? 'raw' : 'zlib';
    const body = kind === 'joblib-zf' ? input.subarray(ZF_HEADER) : input;
    out = (await inflatePrefix(framing, body, cap, offset, budget.deadline)).bytes;
  } else {
    return new Uint8Array(0);
  }
  chargeInflate(budget, out.byteLength);
  return out;
}
