import { emptyDecodeResult, type PickleDecodeResult } from './records.js';
import { decodeOnePickle, decodePickle } from './vm.js';

// Bounds for a sniff: the head is at most a few KiB, so these only stop pathological heads.
const SNIFF_LIMITS = {
  maxOpcodes: 100_000,
  maxStack: 100_000,
  maxMemo: 100_000,
  maxInputBytes: 1 << 20,
};
// A dotted Python identifier, ASCII spelling (what pickled module and class names look like).
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
// A head that decodes this many opcodes cleanly before running out is a pickle cut by the head.
const MIN_OPCODES_WHEN_CUT = 4;

/**
 * True when `head` (the first bytes of a unit, or all of it) is a pickle stream. A protocol 2-5
 * header (`\x80\x02`-`\x80\x05`) suffices; protocol 0/1 streams have no magic (reference §2.1),
 * so the symbolic VM runs over the head and accepts it when it reaches STOP, when it records a
 * global named by Python identifiers before failing (a payload followed by junk, bypass C9), or
 * when it decodes cleanly up to the end of the head. Never throws.
 */
export function looksLikePickle(head: Uint8Array): boolean {
  if (head.byteLength >= 2 && head[0] === 0x80 && (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5) {
    return true;
  }
  if (head.byteLength === 0) return false;
  if (refusedFirstByte(head[0] ?? 0)) return false;
  // The verdict is the first stream's, except for a cut first stream of too few opcodes, where
  // the opcodes of the streams found after it count too: decode the first stream alone (text
  // named like code fails at its first byte, where searching the rest for further pickles would
  // cost the most), and everything only when that is not enough.
  if (head.byteLength <= SNIFF_LIMITS.maxInputBytes) {
    const first = emptyDecodeResult(0);
    decodeOnePickle(head, 0, first, { limits: SNIFF_LIMITS });
    const verdict = judge(first, head.byteLength);
    if (verdict !== undefined) return verdict;
  }
  return judge(decodePickle(head, { limits: SNIFF_LIMITS }), head.byteLength) ?? false;
}

// Per first byte: 1 when the VM refuses it as an opcode (decoding stops at byte 0 whatever
// follows, so the head is no pickle: source code and prose mostly start so), 0 when it reads it;
// -1 until asked. The VM itself answers, once per byte value, so the two cannot disagree.
const FIRST_BYTE = new Int8Array(256).fill(-1);

function refusedFirstByte(b: number): boolean {
  let known = FIRST_BYTE[b] ?? 0;
  if (known === -1) {
    const r = emptyDecodeResult(0);
    decodeOnePickle(new Uint8Array([b]), 0, r, { limits: SNIFF_LIMITS });
    known = r.error?.code === 'BAD_OPCODE' && r.error.offset === 0 ? 1 : 0;
    FIRST_BYTE[b] = known;
  }
  return known === 1;
}

/**
 * The sniff's verdict on the decoding `r` of a head of `length` bytes; undefined when it rests on
 * opcodes after the first stream that `r` may not hold.
 */
function judge(r: PickleDecodeResult, length: number): boolean | undefined {
  const first = r.streams[0];
  if (first === undefined) return false;
  if (first.complete) return true;
  // A global whose names are Python identifiers: text files that happen to start with 'c' or
  // 'i' (source code, prose) name no such global.
  const named = r.globals.some(
    (g) => g.offset < first.end && DOTTED_NAME.test(g.rawModule) && DOTTED_NAME.test(g.rawName),
  );
  if (named) return true;
  if (r.error?.code !== 'TRUNCATED' || r.error.offset < length - 16 || first.resynced) return false;
  return r.opcodes >= MIN_OPCODES_WHEN_CUT ? true : undefined;
}
