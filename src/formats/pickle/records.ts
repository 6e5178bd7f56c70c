import type { FormatError } from '../../core/errors.js';
import type { PickleValue, PyBuild, PyCall, PyExt, PyGlobal, PyPersistent } from './value.js';

/** A container mutation: the channel through which APPEND/SETITEM/ADDITEMS call methods. */
export interface PickleMutation {
  readonly opcode: 'APPEND' | 'APPENDS' | 'SETITEM' | 'SETITEMS' | 'ADDITEMS';
  /** The object whose append/extend/__setitem__/add the unpickler calls. */
  readonly target: PickleValue;
  /**
   * Number of items appended, or key/value pairs set. Consecutive mutations of one target by
   * the same opcode family are recorded once, with their counts summed.
   */
  count: number;
  readonly offset: number;
}

/** Stream-level irregularities that do not stop the C unpickler but make scanners disagree. */
export type PickleAnomalyKind =
  /** An opcode or its argument crosses the end of a declared FRAME (bypass O8). */
  | 'frame-crossing'
  /** A FRAME opcode inside a still open frame (pickle.py refuses it; the C unpickler does not). */
  | 'nested-frame'
  /** A second PROTO in one stream (bypass O11). */
  | 'duplicate-proto'
  /** A PROTO that is not the first opcode of its stream (bypass O11). */
  | 'misplaced-proto'
  /** An EXT1/2/4 code not in CPython's default (empty) copyreg registry (bypass O7). */
  | 'unregistered-ext'
  /** NEXT_BUFFER / READONLY_BUFFER: out-of-band data, which torch never supplies. */
  | 'out-of-band-buffer'
  /** Bytes after an error that were searched for more pickles (bypass C14). */
  | 'resync'
  /** joblib alignment padding that is not 0xff bytes. */
  | 'joblib-padding';

export interface PickleAnomaly {
  readonly kind: PickleAnomalyKind;
  readonly offset: number;
  readonly detail: string;
}

/** One pickle in the input: a STOP ends it, several may follow one another. */
export interface PickleStreamInfo {
  /** Offset of its first opcode. */
  readonly start: number;
  /** Offset just past its STOP, or where decoding stopped. */
  end: number;
  /** The protocol its last PROTO declared (0 when none). */
  protocol: number;
  /** The value STOP returned; undefined when the stream did not reach STOP. */
  root?: PickleValue;
  /** True when it reached STOP. */
  complete: boolean;
  /** True when this stream was found by searching past an error (bypass C14). */
  readonly resynced: boolean;
  /** Nesting: 0 for a top-level stream, 1+ for a pickle embedded in another (joblib objects). */
  readonly depth: number;
}

/** Raw payload bytes skipped inside a stream (joblib arrays). */
export interface PickleSkip {
  readonly start: number;
  readonly end: number;
  readonly what: string;
}

/**
 * Everything the symbolic VM saw, in stream order. Records reference the value objects, so
 * `calls[i].callee` is the same object as the global on the stack. When decoding failed midway,
 * the records hold everything up to the failure and `error` says where and why: payloads run
 * before the real unpickler fails (bypass C9/O9), so they must still be judged.
 */
export interface PickleDecodeResult {
  readonly streams: PickleStreamInfo[];
  readonly globals: PyGlobal[];
  readonly calls: PyCall[];
  readonly builds: PyBuild[];
  readonly persistent: PyPersistent[];
  readonly mutations: PickleMutation[];
  readonly exts: PyExt[];
  readonly anomalies: PickleAnomaly[];
  readonly skipped: PickleSkip[];
  /** Opcodes interpreted in total. */
  opcodes: number;
  /**
   * For each opcode byte (0-255), the offset of its first occurrence; -1 when it never occurred.
   * Tells which opcodes a stricter reader (torch's weights-only unpickler) would meet.
   */
  readonly firstOpcodeAt: Float64Array;
  /** The first decoding error, if any. */
  error?: FormatError;
  /** Offset just past the last byte decoded. */
  end: number;
}

/** An empty result to fill. */
export function emptyDecodeResult(start: number): PickleDecodeResult {
  return {
    streams: [],
    globals: [],
    calls: [],
    builds: [],
    persistent: [],
    mutations: [],
    exts: [],
    anomalies: [],
    skipped: [],
    opcodes: 0,
    firstOpcodeAt: new Float64Array(256).fill(-1),
    end: start,
  };
}

/**
 * Appends the records of `from` (a nested or alternative decode) to `into`. An alternative reading
 * of the same bytes passes `anomalies: false`: its anomalies repeat the ones already recorded.
 */
export function mergeRecords(
  into: PickleDecodeResult,
  from: PickleDecodeResult,
  { anomalies = true }: { readonly anomalies?: boolean } = {},
): void {
  for (const x of from.globals) into.globals.push(x);
  for (const x of from.calls) into.calls.push(x);
  for (const x of from.builds) into.builds.push(x);
  for (const x of from.persistent) into.persistent.push(x);
  for (const x of from.mutations) into.mutations.push(x);
  for (const x of from.exts) into.exts.push(x);
  for (const x of from.skipped) into.skipped.push(x);
  if (anomalies) for (const x of from.anomalies) into.anomalies.push(x);
  into.opcodes += from.opcodes;
  for (let op = 0; op < 256; op++) {
    const at = from.firstOpcodeAt[op] ?? -1;
    const was = into.firstOpcodeAt[op] ?? -1;
    if (at >= 0 && (was < 0 || at < was)) into.firstOpcodeAt[op] = at;
  }
}
