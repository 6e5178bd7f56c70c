/**
 * A tiny pickle assembler for hand-built test streams. Parts are concatenated: numbers are
 * single bytes, strings are latin-1 bytes, arrays of numbers and Uint8Arrays are copied.
 */
export type Part = number | string | Uint8Array | readonly number[];

export function pk(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p & 0xff);
    else if (typeof p === 'string')
      for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i) & 0xff);
    else for (const b of p) out.push(b);
  }
  return Uint8Array.from(out);
}

export const u16 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff];
export const u32 = (n: number): number[] => [
  n & 0xff,
  (n >>> 8) & 0xff,
  (n >>> 16) & 0xff,
  (n >>> 24) & 0xff,
];
export function u64(n: bigint): number[] {
  const out: number[] = [];
  for (let i = 0n; i < 8n; i++) out.push(Number((n >> (8n * i)) & 0xffn));
  return out;
}
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** PROTO n */
export const proto = (n: number): number[] => [0x80, n];
/** GLOBAL module name */
export const global = (module: string, name: string): string => `c${module}\n${name}\n`;
/** SHORT_BINUNICODE */
export const sbu = (s: string): Uint8Array => pk(0x8c, utf8(s).byteLength, utf8(s));
/** BINUNICODE */
export const bu = (s: string): Uint8Array => pk(0x58, u32(utf8(s).byteLength), utf8(s));
/** SHORT_BINSTRING */
export const sbs = (s: string): Uint8Array => pk(0x55, s.length, s);
/** BININT1 */
export const int1 = (n: number): number[] => [0x4b, n];

export const MARK = 0x28;
export const STOP = 0x2e;
export const POP = 0x30;
export const POP_MARK = 0x31;
export const DUP = 0x32;
export const NONE = 0x4e;
export const REDUCE = 0x52;
export const BUILD = 0x62;
export const EMPTY_LIST = 0x5d;
export const EMPTY_DICT = 0x7d;
export const EMPTY_TUPLE = 0x29;
export const APPEND = 0x61;
export const APPENDS = 0x65;
export const SETITEM = 0x73;
export const SETITEMS = 0x75;
export const TUPLE = 0x74;
export const TUPLE1 = 0x85;
export const TUPLE2 = 0x86;
export const TUPLE3 = 0x87;
export const NEWOBJ = 0x81;
export const NEWOBJ_EX = 0x92;
export const STACK_GLOBAL = 0x93;
export const MEMOIZE = 0x94;
export const BINPERSID = 0x51;
export const EMPTY_SET = 0x8f;
export const ADDITEMS = 0x90;
export const FROZENSET = 0x91;
export const NEWTRUE = 0x88;
export const NEWFALSE = 0x89;
export const OBJ = 0x6f;
export const LIST = 0x6c;
export const DICT = 0x64;
export const binput = (n: number): number[] => [0x71, n];
export const binget = (n: number): number[] => [0x68, n];
export const frame = (n: number): number[] => [0x95, ...u64(BigInt(n))];
