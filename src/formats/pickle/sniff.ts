import { decodePickle } from './vm.js';

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
  const r = decodePickle(head, { limits: SNIFF_LIMITS });
  const first = r.streams[0];
  if (first === undefined) return false;
  if (first.complete) return true;
  // A global whose names are Python identifiers: text files that happen to start with 'c' or
  // 'i' (source code, prose) name no such global.
  const named = r.globals.some(
    (g) => g.offset < first.end && DOTTED_NAME.test(g.rawModule) && DOTTED_NAME.test(g.rawName),
  );
  if (named) return true;
  return (
    r.error?.code === 'TRUNCATED' &&
    r.error.offset >= head.byteLength - 16 &&
    r.opcodes >= MIN_OPCODES_WHEN_CUT &&
    !first.resynced
  );
}
