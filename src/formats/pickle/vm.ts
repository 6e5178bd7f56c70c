import { FormatError, limitError } from '../../core/errors.js';
import type { ByteSource } from '../../core/byte-source.js';
import type { Limits } from '../../core/limits.js';
import { IMPORT_MAPPING, NAME_MAPPING } from './compat-names.js';
import { isJoblibArrayWrapper, skipJoblibArray } from './joblib.js';
import {
  emptyDecodeResult,
  mergeRecords,
  type PickleAnomalyKind,
  type PickleDecodeResult,
  type PickleMutation,
  type PickleStreamInfo,
} from './records.js';
import {
  decodeAsciiStrict,
  decodeRawUnicodeEscape,
  decodeStringOpcode,
  decodeUtf8Strict,
  decodeUtf8SurrogatePass,
  normalizeInt,
  parseFloatOpcode,
  parseIntOpcode,
  parseLongOpcode,
  parsePyLongBase10,
} from './text-literals.js';
import type {
  GlobalOpcode,
  PickleValue,
  PyCall,
  PyGlobal,
  PyPersistent,
  PyTuple,
} from './value.js';
import { isKind, type CallOpcode } from './value.js';

/** The bounds the VM obeys. */
export type PickleLimits = Pick<Limits, 'maxOpcodes' | 'maxStack' | 'maxMemo' | 'maxInputBytes'>;

export interface PickleDecodeOptions {
  readonly limits: PickleLimits;
  /** Epoch milliseconds after which decoding stops with LIMIT_EXCEEDED. */
  readonly deadline?: number;
  /** Absolute offset of `bytes[0]` in the unit, added to every recorded offset. */
  readonly base?: number;
  /**
   * Keep at most this many items per list, dict or set (and per call result's items/entries);
   * the rest are counted but not stored, and the container is marked `truncated`. Scanning needs
   * only the structure (memory stays flat on huge benign pickles); a loader keeps everything
   * (the default, unlimited).
   */
  readonly retainItems?: number;
  /**
   * Windowed decoding: bytes every opcode may read before a refill (default 64 KiB).
   * @internal Tests lower it to exercise refills on small inputs.
   */
  readonly lookahead?: number;
}

// The highest protocol CPython 3.11 reads (pickle.HIGHEST_PROTOCOL).
const HIGHEST_PROTOCOL = 5;
// How often (in opcodes) the wall-clock deadline is checked: Date.now() is not free.
const DEADLINE_EVERY = 4096;
// joblib object arrays embed a pickle in a pickle; nesting beyond this is an attack, not a model.
const MAX_NESTED_PICKLES = 8;
// After a decoding error, how far a GLOBAL-looking candidate line may run (bytes).
const MAX_CANDIDATE_LINE = 256;
const MAX_U63 = 2n ** 63n - 1n;
// Windowed decoding: every opcode but a long payload or line fits in this much lookahead.
const LOOKAHEAD = 64 * 1024;
// Bytes payloads larger than this that leave the window are skipped unread.
const SKIP_PAYLOAD = 1 << 20;
// Positioned reads of this size by default when decoding from a source.
const DEFAULT_WINDOW = 4 << 20;
// First read when searching for a candidate past an error.
const RESYNC_FIRST_READ = 64 * 1024;
// First window when decoding one (four lookaheads, so refills move on by at least three).
const RESYNC_FIRST_WINDOW = 4 * LOOKAHEAD;
// Largest window a candidate found by searching past an error may ask for.
const RESYNC_WINDOW = 16 * 1024 * 1024;
// Opcodes where the pure-Python unpickler reads on at the end of input where the C one stops:
// FRAME (a length past the end) and the line-based GLOBAL and INST (no final newline).
const LENIENT_OPCODES: ReadonlySet<number> = new Set([0x95, 0x63, 0x69]);
// Memo keys at most this far past the dense part extend the array; farther ones go to a Map.
const MEMO_GAP = 1024;
// Literal tuples of at most this many items, strs of at most this many characters, are shared
// between identical ones, through a direct-mapped cache of INTERN_SLOTS (a power of two) tuples:
// a checkpoint repeats its shapes layer after layer and a storage id tensor after tensor.
const INTERN_ITEMS = 8;
const INTERN_TEXT = 64;
const INTERN_SLOTS = 1024;
// Memo slots per page: at most 64 KiB of pointers, under V8's large-object threshold.
const MEMO_PAGE = 8192;

/**
 * Decodes every pickle in `bytes` (several may follow one another; each STOP ends one), as
 * CPython 3.11's C unpickler reads them, without executing anything. Never throws for bad input:
 * a decoding failure is returned in `error` together with everything recorded before it. After
 * a failure the rest of the input is searched for further pickles (a PROTO header or a GLOBAL
 * line) and those are decoded too (bypass C14), so no payload hides behind junk.
 */
export function decodePickle(bytes: Uint8Array, options: PickleDecodeOptions): PickleDecodeResult {
  const base = options.base ?? 0;
  const result = emptyDecodeResult(base);
  bytes = plainBytes(bytes);
  const input = bytes;
  const tooLarge = limitError(
    input.byteLength,
    options.limits.maxInputBytes,
    'maxInputBytes',
    base,
    () =>
      `pickle of ${input.byteLength} bytes exceeds maxInputBytes ${options.limits.maxInputBytes}`,
  );
  if (tooLarge !== undefined) {
    result.error = tooLarge;
    return result;
  }
  let pos = 0;
  let resyncing = false;
  while (pos < bytes.byteLength) {
    if (resyncing) {
      const next = findCandidate(bytes, pos);
      if (next < 0) break;
      result.anomalies.push({
        kind: 'resync',
        offset: base + next,
        detail: `decoding resumed at a pickle-looking byte ${next - pos} bytes later`,
      });
      pos = next;
    }
    const info = decodeOnePickle(bytes, pos, result, options, resyncing, 0);
    if (info.complete) {
      pos = info.end - base;
      resyncing = false;
    } else {
      if (result.error?.code === 'LIMIT_EXCEEDED') break;
      pos = Math.max(pos + 1, Math.min(info.end - base, bytes.byteLength));
      resyncing = true;
    }
  }
  return result;
}

/**
 * Decodes one pickle starting at `start` (an index into `bytes`) into `result`, up to and
 * including its STOP. A failure is stored in `result.error` (the first one wins) and the
 * returned stream has `complete: false`. Used directly by the torch legacy reader.
 */
export function decodeOnePickle(
  bytes: Uint8Array,
  start: number,
  result: PickleDecodeResult,
  options: PickleDecodeOptions,
  resynced = false,
  depth = 0,
): PickleStreamInfo {
  const base = options.base ?? 0;
  const info: PickleStreamInfo = {
    start: base + start,
    end: base + start,
    protocol: 0,
    complete: false,
    resynced,
    depth,
  };
  result.streams.push(info);
  const plain = plainBytes(bytes);
  const anomaliesBefore = result.anomalies.length;
  const error = runMachine(new Machine(plain, result, options, info, depth, true), start, info);
  if (error !== undefined) result.error ??= error;
  const crossed = result.anomalies
    .slice(anomaliesBefore)
    .some((a) => a.kind === 'frame-crossing' || a.kind === 'nested-frame');
  if (crossed) {
    // The same stream read as pickle.loads() reads it: frames do not bound anything. Its
    // globals and calls are judged too, whichever reader the artifact meets.
    const other = emptyDecodeResult(base);
    const otherInfo: PickleStreamInfo = { ...info, end: base + start, complete: false };
    runMachine(new Machine(plain, other, options, otherInfo, depth, false), start, otherInfo);
    mergeRecords(result, other, { anomalies: false });
  }
  if (error?.code === 'TRUNCATED' && LENIENT_OPCODES.has(plain[error.offset - base] ?? -1)) {
    // Where the C unpickler stops at the end, the pure-Python one (joblib, dill) may read on: a
    // FRAME longer than the rest, a last line without its newline. What it would resolve there
    // is judged too.
    const other = emptyDecodeResult(base);
    const otherInfo: PickleStreamInfo = { ...info, end: base + start, complete: false };
    const lenient = new Machine(plain, other, options, otherInfo, depth, false, undefined, true);
    runMachine(lenient, start, otherInfo);
    mergeRecords(result, other, { anomalies: false });
  }
  if (info.end > result.end) result.end = info.end;
  return info;
}

/** Runs `machine` from `start`; returns the FormatError that stopped it, if any. */
function runMachine(
  machine: Machine,
  start: number,
  info: PickleStreamInfo,
): FormatError | undefined {
  try {
    machine.run(start);
    return undefined;
  } catch (error) {
    if (error instanceof NeedMore) throw error;
    const at = machine.base + machine.opStart;
    info.end = Math.min(machine.total, machine.base + Math.max(machine.pos, machine.opStart + 1));
    return error instanceof FormatError
      ? error
      : new FormatError('BAD_VALUE', 'value cannot be decoded', at, { cause: error });
  }
}

/** Options of {@link decodePickleSource}. */
export interface PickleSourceOptions extends PickleDecodeOptions {
  /** Window size for positioned reads (default 4 MiB; never above maxInputBytes). */
  readonly window?: number;
}

/**
 * Decodes every pickle in a (possibly huge) source through positioned reads of a few MiB, the
 * way {@link decodePickle} decodes bytes in memory: large bytes payloads and joblib array data
 * that leave the window are skipped unread, so the cost follows the opcodes, not the payload
 * bytes. A single opcode needing more than maxInputBytes (a giant string) is LIMIT_EXCEEDED.
 * Never throws for bad input; the source's own I/O errors propagate.
 */
export async function decodePickleSource(
  source: ByteSource,
  options: PickleSourceOptions,
): Promise<PickleDecodeResult> {
  const result = emptyDecodeResult(0);
  const total = source.size;
  const maxWindow = options.limits.maxInputBytes;
  const window = Math.max(1, Math.min(options.window ?? DEFAULT_WINDOW, maxWindow));
  let abs = 0;
  let resyncing = false;
  while (abs < total) {
    if (resyncing) {
      const next = await findCandidateInSource(source, abs, window);
      if (next < 0) break;
      result.anomalies.push({
        kind: 'resync',
        offset: next,
        detail: `decoding resumed at a pickle-looking byte ${next - abs} bytes later`,
      });
      abs = next;
    }
    const info = await decodeStreamAt(source, abs, result, options, window, maxWindow, resyncing);
    if (info.end > result.end) result.end = info.end;
    if (info.complete) {
      abs = info.end;
      resyncing = false;
    } else {
      if (result.error?.code === 'LIMIT_EXCEEDED') break;
      abs = Math.max(abs + 1, Math.min(info.end, total));
      resyncing = true;
    }
  }
  return result;
}

/**
 * Decodes the one pickle that starts at absolute offset `abs` of `source` into `result`, up to
 * and including its STOP, as {@link decodeOnePickle} decodes bytes in memory: windows of
 * `options.window` bytes (default 4 MiB) are read as its opcodes need them, so a pickle is
 * decoded once whatever its length (growing a window and decoding again left the earlier tries'
 * values behind as garbage). Bytes past `source.size` are never read: a caller bounds the pickle
 * by the source it passes. A failure is stored in `result.error` (the first one wins) and the
 * returned stream has `complete: false`; the source's own I/O errors propagate.
 */
export async function decodeOnePickleSource(
  source: ByteSource,
  abs: number,
  result: PickleDecodeResult,
  options: PickleSourceOptions,
): Promise<PickleStreamInfo> {
  const maxWindow = options.limits.maxInputBytes;
  const window = Math.max(1, Math.min(options.window ?? DEFAULT_WINDOW, maxWindow));
  const info = await decodeStreamAt(source, abs, result, options, window, maxWindow, false);
  if (info.end > result.end) result.end = info.end;
  return info;
}

/** One stream of {@link decodePickleSource} at `abs`, with its second readings (see there). */
async function decodeStreamAt(
  source: ByteSource,
  abs: number,
  result: PickleDecodeResult,
  options: PickleDecodeOptions,
  window: number,
  maxWindow: number,
  resyncing: boolean,
): Promise<PickleStreamInfo> {
  const info: PickleStreamInfo = {
    start: abs,
    end: abs,
    protocol: 0,
    complete: false,
    resynced: resyncing,
    depth: 0,
  };
  result.streams.push(info);
  const before = result.anomalies.length;
  // A candidate found in junk gets windows of at most RESYNC_WINDOW: junk is full of huge
  // lengths, and reading a window for each made the search crawl (25 MB/s, gigabytes of RSS).
  const windowCap = resyncing ? Math.min(maxWindow, RESYNC_WINDOW) : maxWindow;
  // …and starts from a small first read (the window grows when an opcode needs more).
  const first = resyncing ? Math.min(window, RESYNC_FIRST_WINDOW) : window;
  let error = await runWindowed(source, abs, first, windowCap, result, options, info, true);
  if (resyncing && error?.code === 'LIMIT_EXCEEDED' && windowCap < maxWindow) {
    // Not a limit of the file: this candidate is abandoned and the search goes on after it.
    error = new FormatError('TRUNCATED', 'a resynchronised candidate needs a large window', abs);
  }
  if (error !== undefined) result.error ??= error;
  const crossed = result.anomalies
    .slice(before)
    .some((a) => a.kind === 'frame-crossing' || a.kind === 'nested-frame');
  if (crossed) {
    const other = emptyDecodeResult(abs);
    const otherInfo: PickleStreamInfo = { ...info, end: abs, complete: false };
    await runWindowed(source, abs, window, maxWindow, other, options, otherInfo, false);
    other.anomalies.length = 0;
    mergeRecords(result, other);
  }
  const failedOp =
    error?.code === 'TRUNCATED' ? (await source.read(error.offset, 1))[0] : undefined;
  if (failedOp !== undefined && LENIENT_OPCODES.has(failedOp)) {
    // As in decodeOnePickle: what the pure-Python unpickler would still resolve at the end.
    const other = emptyDecodeResult(abs);
    const otherInfo: PickleStreamInfo = { ...info, end: abs, complete: false };
    await runWindowed(source, abs, window, maxWindow, other, options, otherInfo, false, true);
    other.anomalies.length = 0;
    mergeRecords(result, other);
  }
  return info;
}

async function runWindowed(
  source: ByteSource,
  abs: number,
  window: number,
  maxWindow: number,
  result: PickleDecodeResult,
  options: PickleDecodeOptions,
  info: PickleStreamInfo,
  discard: boolean,
  lenient = false,
): Promise<FormatError | undefined> {
  const total = source.size;
  const first = await source.read(abs, Math.min(window, total - abs));
  const machine = new Machine(
    first,
    result,
    { ...options, base: abs },
    info,
    0,
    discard,
    total,
    lenient,
  );
  let from = 0;
  for (;;) {
    try {
      return runMachine(machine, from, info);
    } catch (error) {
      if (!(error instanceof NeedMore)) throw error;
      const at = machine.base + error.from;
      const size = Math.max(window, error.size);
      if (size > maxWindow && at + maxWindow < total) {
        info.end = at;
        return new FormatError(
          'LIMIT_EXCEEDED',
          `an opcode needs more than maxInputBytes (${maxWindow}) bytes`,
          at,
        );
      }
      machine.rollback();
      machine.setWindow(await source.read(at, Math.min(size, maxWindow, total - at)), at);
      from = 0;
    }
  }
}

/** findCandidate over a source, window by window (windows overlap by a candidate's length). */
async function findCandidateInSource(
  source: ByteSource,
  from: number,
  window: number,
): Promise<number> {
  const overlap = 2 * MAX_CANDIDATE_LINE + 4;
  let at = from;
  // Small reads first, doubling up to `window`: in junk the next candidate is usually near, and
  // a full window read per candidate made the search copy gigabytes.
  let chunk = Math.min(window, RESYNC_FIRST_READ);
  while (at < source.size) {
    const bytes = plainBytes(await source.read(at, Math.min(chunk + overlap, source.size - at)));
    const hit = findCandidate(bytes, 0);
    if (hit >= 0) return at + hit;
    if (at + bytes.byteLength >= source.size) return -1;
    at += Math.max(1, bytes.byteLength - overlap);
    chunk = Math.min(window, chunk * 2);
  }
  return -1;
}

/**
 * Next index ≥ `from` where a pickle plausibly starts: PROTO 2-5, or a GLOBAL line pair. Linear
 * in the bytes searched whatever they hold: the two opcode bytes are found with indexOf
 * (memchr), and each line is examined once however many `c` bytes it holds.
 */
function findCandidate(bytes: Uint8Array, from: number): number {
  let proto = bytes.indexOf(0x80, from);
  let global = bytes.indexOf(0x63, from);
  // The line after the current GLOBAL candidate: [lineStart, lineEnd) up to its newline, the
  // last byte in it that cannot be part of a dotted name, and whether the next line is one.
  let lineEnd = -1;
  let lastBad = -1;
  let nextLineOk = false;
  while (proto >= 0 || global >= 0) {
    if (proto >= 0 && (global < 0 || proto < global)) {
      const v = bytes[proto + 1];
      if (v !== undefined && v >= 2 && v <= HIGHEST_PROTOCOL) return proto;
      proto = bytes.indexOf(0x80, proto + 1);
      continue;
    }
    const start = global + 1;
    if (start > lineEnd) {
      // A new line: find its end and its last non-name byte once, and judge the line after it.
      lineEnd = bytes.indexOf(0x0a, start);
      if (lineEnd < 0) lineEnd = bytes.byteLength;
      lastBad = -1;
      for (let i = lineEnd - 1; i >= start; i--) {
        if (!isIdentChar(bytes[i] ?? 0, false)) {
          lastBad = i;
          break;
        }
      }
      nextLineOk = lineEnd < bytes.byteLength && isNameLine(bytes, lineEnd + 1);
    }
    const length = lineEnd - start;
    if (
      lineEnd < bytes.byteLength &&
      length > 0 &&
      length <= MAX_CANDIDATE_LINE &&
      start > lastBad &&
      isIdentChar(bytes[start] ?? 0, true) &&
      nextLineOk
    ) {
      return global;
    }
    global = bytes.indexOf(0x63, start);
  }
  return -1;
}

function isIdentChar(c: number, first: boolean): boolean {
  const alpha = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
  return first ? alpha : alpha || (c >= 0x30 && c <= 0x39) || c === 0x2e;
}

/** True when a dotted name of 1..MAX_CANDIDATE_LINE bytes and a newline start at `at`. */
function isNameLine(bytes: Uint8Array, at: number): boolean {
  let i = at;
  while (i < bytes.byteLength && i - at < MAX_CANDIDATE_LINE) {
    const c = bytes[i] ?? 0;
    if (c === 0x0a) break;
    if (!isIdentChar(c, i === at)) return false;
    i++;
  }
  return i > at && bytes[i] === 0x0a;
}

/** Values whose Python type is certainly not a tuple (the unpickler then raises TypeError). */
function isKnownNonTuple(v: PickleValue): boolean {
  if (v === null || typeof v !== 'object') return true;
  return NON_TUPLE_KINDS.has(v.kind);
}

const NON_TUPLE_KINDS: ReadonlySet<string> = new Set([
  'float',
  'bytes',
  'list',
  'dict',
  'set',
  'frozenset',
]);

/** Values that are certainly not a type object (NEWOBJ requires one). */
function isKnownNonType(v: PickleValue): boolean {
  return isKnownNonTuple(v) || isKind(v, 'tuple');
}

/** The symbolic unpickler for one stream. */
class Machine {
  /** Index of the next byte to read. */
  pos = 0;
  /** Index of the opcode being interpreted. */
  opStart = 0;
  private readonly stack: PickleValue[] = [];
  private readonly marks: number[] = [];
  private fence = 0;
  // The memo as CPython's C unpickler keeps it: an array indexed by key (`memoLength` slots,
  // held in fixed pages of MEMO_PAGE so that a memo of a million entries is never copied as it
  // grows: one growing array left ~2x its size of dead copies in the large-object space), plus
  // a count of set keys (MEMOIZE writes at that count). Keys far beyond the array go to a Map
  // instead of allocating the gap (the C unpickler would try to allocate it and fail).
  private readonly memoPages: (PickleValue | undefined)[][] = [];
  private memoLength = 0;
  private readonly memoFar = new Map<number, PickleValue>();
  private memoCount = 0;
  private proto = 0;
  private seenProto = false;
  private frameEnd = -1;
  // End of the last declared frame, kept after reads leave it, to report opcodes whose argument
  // starts exactly at a frame end (pickle.py's framer never splits an opcode that way).
  private declaredEnd = -1;
  private crossedOp = false;
  private lastMutation: PickleMutation | undefined;
  private readonly retainItems: number;
  // Shared literal tuples by a hash of their items (see literalTuple), and persistent-id values
  // by the slot of their pid tuple (see persistent()).
  private readonly internSlots: (PyTuple | undefined)[] = new Array<undefined>(INTERN_SLOTS).fill(
    undefined,
  );
  private readonly persistentSlots: (PyPersistent | undefined)[] = new Array<undefined>(
    INTERN_SLOTS,
  ).fill(undefined);
  // Frame state and record counts at the current opcode's start, restored when a window refill
  // restarts the opcode (a crossing read may have changed them before the refill was needed).
  private opFrameEnd = -1;
  private opDeclaredEnd = -1;
  private opAnomalies = 0;
  private opSkipped = 0;
  private view: DataView;
  base: number;
  /** Absolute size of the whole input (beyond the window in windowed decoding). */
  private readonly totalSize: number;
  /** Bytes an opcode may read without a refill check; windowed decoding refills below it. */
  readonly lookahead: number;
  private refillAt: number;
  private readonly maxStack: number;
  private readonly maxMemo: number;
  private readonly maxOpcodes: number;
  private readonly deadline: number | undefined;

  constructor(
    private bytes: Uint8Array,
    private readonly r: PickleDecodeResult,
    private readonly options: PickleDecodeOptions,
    private readonly info: PickleStreamInfo,
    private readonly depth: number,
    /** Frame semantics: true for a file read through io.BytesIO (torch), false for loads(). */
    private readonly discard: boolean,
    totalSize?: number,
    /**
     * Reads as CPython's pure-Python unpickler (pickle._Unpickler, which joblib and dill use)
     * reads where it is laxer than the C one: a FRAME longer than the rest is the rest, and a
     * line at the end without its newline is the rest minus its last byte (readline()[:-1]),
     * empty lines included.
     */
    private readonly lenient = false,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.base = options.base ?? 0;
    this.totalSize = totalSize ?? this.base + bytes.byteLength;
    this.lookahead = options.lookahead ?? LOOKAHEAD;
    this.retainItems = options.retainItems ?? Infinity;
    this.refillAt = this.hasMoreInput() ? bytes.byteLength - this.lookahead : Infinity;
    this.maxStack = options.limits.maxStack;
    this.maxMemo = options.limits.maxMemo;
    this.maxOpcodes = options.limits.maxOpcodes;
    this.deadline = options.deadline;
  }

  private fail(code: ConstructorParameters<typeof FormatError>[0], message: string): never {
    throw new FormatError(code, message, this.base + this.opStart);
  }

  private need(n: number): void {
    // Past the end of the whole input no refill can help: fail before reading a window for it
    // (junk after an error is full of huge lengths; each used to cost a window of its size).
    if (this.base + this.pos + n > this.totalSize)
      this.fail('TRUNCATED', 'pickle data was truncated');
    if (this.frameEnd >= 0 && this.pos + n > this.frameEnd) {
      // Refill first (before any state changes), from where the read will really start.
      const start = this.discard && this.pos < this.frameEnd ? this.frameEnd : this.pos;
      if (start + n > this.bytes.byteLength && this.hasMoreInput()) {
        throw new NeedMore(this.opStart, start - this.opStart + n + this.lookahead);
      }
      this.leaveFrame();
    }
    if (n > this.bytes.byteLength - this.pos) {
      if (this.hasMoreInput()) {
        throw new NeedMore(this.opStart, this.pos - this.opStart + n + this.lookahead);
      }
      this.fail('TRUNCATED', 'pickle data was truncated');
    }
  }

  /** Undoes what the interrupted opcode changed before it asked for a refill. */
  rollback(): void {
    this.frameEnd = this.opFrameEnd;
    this.declaredEnd = this.opDeclaredEnd;
    this.r.anomalies.length = this.opAnomalies;
    this.r.skipped.length = this.opSkipped;
    this.crossedOp = false;
  }

  /** Moves the decoder to a new window of the input starting at absolute offset `base`. */
  setWindow(bytes: Uint8Array, base: number): void {
    const delta = base - this.base;
    this.bytes = plainBytes(bytes);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.base = base;
    if (this.frameEnd >= 0) this.frameEnd = Math.max(-1, this.frameEnd - delta);
    if (this.declaredEnd >= 0) this.declaredEnd = Math.max(-1, this.declaredEnd - delta);
    this.refillAt = this.hasMoreInput() ? this.bytes.byteLength - this.lookahead : Infinity;
  }

  /**
   * The payload of a bytes opcode. In windowed decoding a payload larger than SKIP_PAYLOAD that
   * runs past the window is skipped unread (its value keeps only the length), which is what
   * makes multi-gigabyte pickles cheap; payloads that stay are copied so no window is retained.
   */
  private takeBytes(n: number): Uint8Array {
    if (this.refillAt !== Infinity) {
      if (n > SKIP_PAYLOAD && this.pos + n > this.bytes.byteLength) {
        if (this.frameEnd >= 0 && this.pos + n > this.frameEnd) this.leaveFrame();
        if (this.base + this.pos + n > this.totalSize)
          this.fail('TRUNCATED', 'bytes run past the end');
        this.r.skipped.push({
          start: this.base + this.pos,
          end: this.base + this.pos + n,
          what: 'bytes payload',
        });
        this.pos += n;
        return new Uint8Array(0);
      }
      return this.take(n).slice();
    }
    return this.take(n);
  }

  /**
   * A read reaches past the buffered FRAME. Over a file without peek() (torch reads data.pkl
   * through io.BytesIO), the C unpickler's buffer holds exactly the frame: a read that does not
   * fit drops the rest of the frame and reads fresh bytes from the file after it
   * (_Unpickler_ReadFromFile). Over bytes in memory (pickle.loads) it reads straight on. The
   * first is `discard` mode; the stream is decoded both ways when this happens (bypass O8).
   */
  private leaveFrame(): void {
    if (this.pos < this.frameEnd) {
      this.anomaly(
        'frame-crossing',
        `a read at ${this.base + this.pos} crosses the FRAME end at ${this.base + this.frameEnd}`,
      );
      if (this.discard) this.pos = this.frameEnd;
      this.crossedOp = true;
    }
    this.frameEnd = -1;
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++] ?? 0;
  }

  private u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A u64 length that must fit Py_ssize_t (else BAD_LENGTH) and the remaining input. */
  private len64(what: string, clamp = false): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > MAX_U63) this.fail('BAD_LENGTH', `${what} exceeds the maximum size`);
    const rest = this.totalSize - this.base - this.pos;
    if (v > BigInt(rest)) {
      if (clamp) return rest;
      this.fail('TRUNCATED', 'pickle data was truncated');
    }
    return Number(v);
  }

  private take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** `n` bytes of UTF-8 (surrogatepass) at the cursor; short ASCII strings without a view. */
  private utf8(n: number): string {
    this.need(n);
    const start = this.pos;
    if (n <= 64) {
      const b = this.bytes;
      let i = start;
      const end = start + n;
      while (i < end && (b[i] ?? 0) <= 0x7f) i++;
      if (i === end) {
        this.pos = end;
        // One call makes one flat string: built with += char by char, a 30-character key was a
        // chain of 18 cons strings (~600 bytes), kept for every tensor name of a checkpoint.
        return asciiText(b, start, end);
      }
    }
    this.pos = start + n;
    return decodeUtf8SurrogatePass(this.bytes.subarray(start, start + n), this.base + this.opStart);
  }

  private line(): Uint8Array {
    let nl = this.bytes.indexOf(0x0a, this.pos);
    if (this.frameEnd >= 0 && (nl < 0 || nl >= this.frameEnd)) {
      const start = this.discard && this.pos < this.frameEnd ? this.frameEnd : this.pos;
      if (!this.bytes.includes(0x0a, start) && this.hasMoreInput()) {
        throw new NeedMore(
          this.opStart,
          2 * (this.bytes.byteLength - this.opStart) + this.lookahead,
        );
      }
      this.leaveFrame();
      nl = this.bytes.indexOf(0x0a, this.pos);
    }
    if (nl < 0 && this.hasMoreInput()) {
      throw new NeedMore(this.opStart, 2 * (this.bytes.byteLength - this.opStart) + this.lookahead);
    }
    if (nl < 0) {
      if (!this.lenient) this.fail('TRUNCATED', 'pickle data was truncated (no newline)');
      // pickle._Unpickler: readline() returns the rest, and [:-1] drops its last byte.
      const rest = this.bytes.subarray(this.pos, Math.max(this.pos, this.bytes.byteLength - 1));
      this.pos = this.bytes.byteLength;
      return rest;
    }
    const out = this.bytes.subarray(this.pos, nl);
    this.pos = nl + 1;
    return out;
  }

  private lineText(): string {
    const b = this.line();
    return asciiText(b, 0, b.byteLength);
  }

  private push(v: PickleValue): void {
    if (this.stack.length + this.marks.length >= this.maxStack) {
      this.fail('LIMIT_EXCEEDED', `pickle stack exceeds maxStack ${this.maxStack}`);
    }
    this.stack.push(v);
  }

  private pop(): PickleValue {
    if (this.stack.length <= this.fence) this.fail('BAD_STRUCTURE', 'unpickling stack underflow');
    return this.stack.pop() ?? null;
  }

  private marker(): number {
    const m = this.marks.pop();
    if (m === undefined) this.fail('BAD_STRUCTURE', 'could not find MARK');
    this.fence = this.marks.length > 0 ? (this.marks[this.marks.length - 1] ?? 0) : 0;
    return m;
  }

  /** Pops stack[start..] (Pdata_poptuple/poplist: start must not be below the fence). */
  private popFrom(start: number): PickleValue[] {
    if (start < this.fence || start > this.stack.length) {
      this.fail('BAD_STRUCTURE', 'unpickling stack underflow');
    }
    return this.stack.splice(start);
  }

  private anomaly(kind: PickleAnomalyKind, detail: string): void {
    this.r.anomalies.push({ kind, offset: this.base + this.opStart, detail });
  }

  private memoGet(key: number): PickleValue {
    const v =
      key < this.memoLength
        ? this.memoPages[Math.floor(key / MEMO_PAGE)]?.[key % MEMO_PAGE]
        : this.memoFar.get(key);
    if (v === undefined) this.fail('BAD_VALUE', `memo value not found at index ${key}`);
    return v;
  }

  private memoPut(key: number): void {
    if (this.stack.length <= this.fence) this.fail('BAD_STRUCTURE', 'unpickling stack underflow');
    const value = this.stack[this.stack.length - 1] ?? null;
    if (key < this.memoLength) {
      const page = this.memoPage(key);
      if (page[key % MEMO_PAGE] === undefined) this.memoAdded();
      page[key % MEMO_PAGE] = value;
    } else if (key <= this.memoLength + MEMO_GAP && !this.memoFar.has(key)) {
      this.memoAdded();
      this.memoLength = key + 1;
      this.memoPage(key)[key % MEMO_PAGE] = value;
    } else {
      if (!this.memoFar.has(key)) this.memoAdded();
      this.memoFar.set(key, value);
    }
  }

  /** The memo page holding `key`, grown to hold it (pages and slots up to it read undefined). */
  private memoPage(key: number): (PickleValue | undefined)[] {
    const index = Math.floor(key / MEMO_PAGE);
    while (this.memoPages.length <= index) this.memoPages.push([]);
    const page = this.memoPages[index] ?? [];
    // Filled one by one, as the single array was: a jump in a fresh array would make V8 store
    // it as a dictionary.
    while (page.length <= key % MEMO_PAGE) page.push(undefined);
    return page;
  }

  private memoAdded(): void {
    if (this.memoCount >= this.maxMemo) {
      this.fail('LIMIT_EXCEEDED', `pickle memo exceeds maxMemo ${this.maxMemo}`);
    }
    this.memoCount++;
  }

  private memoKeyFromText(what: string): number {
    const v = parsePyLongBase10(this.lineText(), this.base + this.opStart);
    if (v < 0n) this.fail('BAD_VALUE', `negative ${what} argument`);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('BAD_VALUE', `${what} argument too large`);
    return Number(v);
  }

  /** find_class: fix_imports below protocol 3, dotted attribute chains from protocol 4. */
  private global(rawModule: string, rawName: string, opcode: GlobalOpcode): PyGlobal {
    let module = rawModule;
    let name = rawName;
    if (this.proto < 3) {
      const mapped = NAME_MAPPING.get(`${rawModule}\n${rawName}`);
      if (mapped !== undefined) [module, name] = mapped;
      else module = IMPORT_MAPPING.get(rawModule) ?? rawModule;
    }
    const g: PyGlobal = {
      kind: 'global',
      module,
      name,
      rawModule,
      rawName,
      dotted: this.proto >= 4 && name.includes('.'),
      opcode,
      offset: this.base + this.opStart,
    };
    this.r.globals.push(g);
    return g;
  }

  private call(callee: PickleValue, args: PickleValue, opcode: CallOpcode, kwargs?: PickleValue) {
    const c: PyCall =
      kwargs === undefined
        ? { kind: 'call', callee, args, opcode, offset: this.base + this.opStart }
        : { kind: 'call', callee, args, kwargs, opcode, offset: this.base + this.opStart };
    this.r.calls.push(c);
    this.push(c);
  }

  private tuple(items: PickleValue[]): PyTuple {
    return { kind: 'tuple', items, offset: this.base + this.opStart };
  }

  /**
   * A tuple the stream builds with TUPLE, TUPLE1-3 or EMPTY_TUPLE. Tuples of plain values (ints,
   * short strs, bools, None, globals) are shared between identical ones: a checkpoint repeats
   * `(4,)`, `(1,)`, `()` and its storage ids for every tensor, and each copy cost ~100 bytes
   * (an object, an array and its elements) for as long as the decode is kept. A tuple is
   * immutable and no rule or loader tells two equal ones apart; a shared one keeps the offset
   * of its first occurrence. The cache is direct-mapped by a hash of the items (a miss only
   * costs the sharing), so looking up allocates nothing: keys built as text for a Map were
   * promoted to the old generation by the hundred thousand as garbage.
   */
  private literalTuple(items: PickleValue[]): PyTuple {
    const slot = internSlot(items);
    if (slot < 0) return this.tuple(items);
    const known = this.internSlots[slot];
    if (known !== undefined && sameItems(known.items, items)) return known;
    const made = this.tuple(items);
    this.internSlots[slot] = made;
    return made;
  }

  private mutation(opcode: PickleMutation['opcode'], target: PickleValue, count: number): void {
    const last = this.lastMutation;
    if (
      last?.target === target &&
      (last.opcode === opcode || SAME_FAMILY[last.opcode] === opcode)
    ) {
      last.count += count;
      return;
    }
    const m: PickleMutation = { opcode, target, count, offset: this.base + this.opStart };
    this.r.mutations.push(m);
    this.lastMutation = m;
  }

  /** Appends `items` to `dst` up to retainItems; returns false when some were dropped. */
  private keep(dst: PickleValue[], items: readonly PickleValue[]): boolean {
    const room = this.retainItems - dst.length;
    if (room >= items.length) {
      appendAll(dst, items);
      return true;
    }
    for (let i = 0; i < room; i++) dst.push(items[i] ?? null);
    return false;
  }

  /** do_append: items stack[x..] go into stack[x-1]. */
  private doAppend(x: number, opcode: 'APPEND' | 'APPENDS'): void {
    const len = this.stack.length;
    if (x > len || x <= this.fence) this.fail('BAD_STRUCTURE', 'unpickling stack underflow');
    if (x === len) return;
    const target = this.stack[x - 1] ?? null;
    const items = this.stack.splice(x);
    this.mutation(opcode, target, items.length);
    if (isKind(target, 'list')) {
      if (!this.keep(target.items, items)) target.truncated = true;
    } else {
      const call = mutatedCall(target);
      if (call !== undefined && !this.keep((call.items ??= []), items)) call.truncated = true;
    }
  }

  /** do_setitems: key/value pairs stack[x..] go into stack[x-1]. */
  private doSetItems(x: number, opcode: 'SETITEM' | 'SETITEMS'): void {
    const len = this.stack.length;
    if (x > len || x <= this.fence) this.fail('BAD_STRUCTURE', 'unpickling stack underflow');
    if (x === len) return;
    if ((len - x) % 2 !== 0) this.fail('BAD_VALUE', 'odd number of items for SETITEMS');
    const target = this.stack[x - 1] ?? null;
    const items = this.stack.splice(x);
    this.mutation(opcode, target, items.length / 2);
    let holder: { entries?: [PickleValue, PickleValue][]; truncated?: boolean } | undefined;
    let entries: [PickleValue, PickleValue][] | undefined;
    if (isKind(target, 'dict')) {
      holder = target;
      entries = target.entries;
    } else {
      const call = mutatedCall(target);
      if (call !== undefined) {
        holder = call;
        entries = call.entries ??= [];
      }
    }
    if (entries !== undefined && holder !== undefined) {
      for (let i = 0; i < items.length; i += 2) {
        if (entries.length >= this.retainItems) {
          holder.truncated = true;
          break;
        }
        entries.push([items[i] ?? null, items[i + 1] ?? null]);
      }
    }
  }

  /** Absolute size of the whole input. */
  get total(): number {
    return this.totalSize;
  }

  /** Runs from `start` to the stream's STOP; throws FormatError on malformed input. */
  run(start: number): void {
    const bytes = this.bytes;
    const len = bytes.byteLength;
    // A window refill rethrows out of run(); the driver calls run() again on the new window.
    const r = this.r;
    const info = this.info;
    this.pos = start;
    for (;;) {
      const at = this.pos;
      this.opStart = at;
      if (this.frameEnd >= 0 && at >= this.frameEnd) this.frameEnd = -1;
      if (this.refillAt !== Infinity) {
        this.opFrameEnd = this.frameEnd;
        this.opDeclaredEnd = this.declaredEnd;
        this.opAnomalies = r.anomalies.length;
        this.opSkipped = r.skipped.length;
        if (at > this.refillAt && this.hasMoreInput()) throw new NeedMore(at, this.lookahead);
      }
      if (at >= len) this.fail('TRUNCATED', 'pickle data was truncated (no STOP)');
      const n = ++r.opcodes;
      if (n > this.maxOpcodes) {
        this.fail('LIMIT_EXCEEDED', `pickle exceeds maxOpcodes ${this.maxOpcodes}`);
      }
      if (n % DEADLINE_EVERY === 0 && this.deadline !== undefined && Date.now() > this.deadline) {
        this.fail('LIMIT_EXCEEDED', 'scan deadline passed');
      }
      const op = bytes[at] ?? 0;
      this.pos = at + 1;
      if (r.firstOpcodeAt[op] === -1) r.firstOpcodeAt[op] = this.base + at;
      switch (op) {
        case 0x28: // MARK
          if (this.stack.length + this.marks.length >= this.maxStack) {
            this.fail('LIMIT_EXCEEDED', `pickle stack exceeds maxStack ${this.maxStack}`);
          }
          this.marks.push(this.stack.length);
          this.fence = this.stack.length;
          break;
        case 0x2e: {
          // STOP
          const root = this.pop();
          info.root = root;
          info.complete = true;
          info.end = this.base + this.pos;
          info.protocol = this.proto;
          return;
        }
        case 0x30: {
          // POP: pops a MARK when the mark sits at the top (C unpickler's two stacks).
          const top = this.marks[this.marks.length - 1];
          if (top !== undefined && top === this.stack.length) this.marker();
          else this.pop();
          break;
        }
        case 0x31: // POP_MARK
          this.stack.length = this.marker();
          break;
        case 0x32: // DUP
          if (this.stack.length <= this.fence) this.fail('BAD_STRUCTURE', 'stack underflow');
          this.push(this.stack[this.stack.length - 1] ?? null);
          break;
        case 0x46: // FLOAT
          this.push({
            kind: 'float',
            value: parseFloatOpcode(this.lineText(), this.base + at),
          });
          break;
        case 0x47: // BINFLOAT: big-endian IEEE 754
          this.need(8);
          this.push({ kind: 'float', value: this.view.getFloat64(this.pos, false) });
          this.pos += 8;
          break;
        case 0x49: // INT
          this.push(parseIntOpcode(this.lineText(), this.base + at));
          break;
        case 0x4a: // BININT
          this.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4c: {
          // LONG
          const text = this.lineText();
          if (text.length < 1) this.fail('TRUNCATED', 'LONG argument is empty');
          this.push(parseLongOpcode(text, this.base + at));
          break;
        }
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x50: {
          // PERSID
          const pid = decodeAsciiStrict(this.line(), this.base + at);
          this.persistent(pid, 'PERSID');
          break;
        }
        case 0x51: // BINPERSID
          this.persistent(this.pop(), 'BINPERSID');
          break;
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const callee = this.pop();
          this.call(callee, args, 'REDUCE');
          if (isKnownNonTuple(args)) this.fail('BAD_VALUE', 'REDUCE argument is not a tuple');
          break;
        }
        case 0x53: // STRING
          this.push(decodeStringOpcode(this.line(), this.base + at));
          break;
        case 0x54: {
          // BINSTRING
          const n = this.i32();
          if (n < 0) this.fail('BAD_LENGTH', 'BINSTRING pickle has negative byte count');
          this.push(latin1(this.take(n)));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.push(latin1(this.take(this.u8())));
          break;
        case 0x56: // UNICODE
          this.push(decodeRawUnicodeEscape(this.line(), this.base + at));
          break;
        case 0x58: // BINUNICODE
          this.push(this.utf8(this.u32()));
          break;
        case 0x5d: // EMPTY_LIST
          this.push({ kind: 'list', items: [], offset: this.base + at });
          break;
        case 0x61: // APPEND
          if (this.stack.length - 1 <= this.fence) this.fail('BAD_STRUCTURE', 'stack underflow');
          this.doAppend(this.stack.length - 1, 'APPEND');
          break;
        case 0x62: {
          // BUILD. Everything that may need more input happens before the stack changes.
          if (this.stack.length - 2 < this.fence) this.fail('BAD_STRUCTURE', 'stack underflow');
          const state = this.stack[this.stack.length - 1] ?? null;
          const target = this.stack[this.stack.length - 2] ?? null;
          const build = { kind: 'build', target, state, offset: this.base + at } as const;
          // joblib's alignment padding (≤ 256 bytes) must be in the window before sizing.
          if (this.pos + 257 > len && this.hasMoreInput() && isJoblibArrayWrapper(build)) {
            throw new NeedMore(at, 258 + this.lookahead);
          }
          const skip = skipJoblibArray(build, bytes, this.pos, this.base);
          const nested = skip?.nested === true ? this.nestedPickle(skip.start) : undefined;
          this.stack.pop();
          r.builds.push(build);
          if (isKind(target, 'call')) target.built = true;
          this.stack[this.stack.length - 1] = build;
          if (skip !== undefined) {
            this.joblibPayload(skip, nested);
            // joblib writes array data outside any frame: not a crossing.
            this.crossedOp = true;
          }
          break;
        }
        case 0x63: {
          // GLOBAL
          const module = decodeUtf8Strict(this.nonEmptyLine(), this.base + at);
          const name = decodeUtf8Strict(this.nonEmptyLine(), this.base + at);
          this.push(this.global(module, name, 'GLOBAL'));
          break;
        }
        case 0x64: {
          // DICT
          const items = this.popFrom(this.marker());
          if (items.length % 2 !== 0) this.fail('BAD_VALUE', 'odd number of items for DICT');
          const entries: [PickleValue, PickleValue][] = [];
          for (let i = 0; i < items.length; i += 2) {
            entries.push([items[i] ?? null, items[i + 1] ?? null]);
          }
          this.push({ kind: 'dict', entries, offset: this.base + at });
          break;
        }
        case 0x65: // APPENDS
          this.doAppend(this.marker(), 'APPENDS');
          break;
        case 0x67: // GET
          this.push(this.memoGet(this.memoKeyFromText('GET')));
          break;
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x69: {
          // INST (the lines are read before the MARK is popped, so a window refill can resume)
          const module = decodeAsciiStrict(this.nonEmptyLine(), this.base + at);
          const name = decodeAsciiStrict(this.nonEmptyLine(), this.base + at);
          const mark = this.marker();
          const g = this.global(module, name, 'INST');
          const args = this.tuple(this.popFrom(mark));
          this.call(g, args, 'INST');
          break;
        }
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()));
          break;
        case 0x6c: // LIST
          this.push({ kind: 'list', items: this.popFrom(this.marker()), offset: this.base + at });
          break;
        case 0x6f: {
          // OBJ: MARK cls args... → cls(*args)
          const mark = this.marker();
          if (this.stack.length - mark < 1) this.fail('BAD_STRUCTURE', 'stack underflow');
          const args = this.tuple(this.popFrom(mark + 1));
          const cls = this.stack.pop() ?? null;
          this.call(cls, args, 'OBJ');
          break;
        }
        case 0x70: // PUT
          this.memoPut(this.memoKeyFromText('PUT'));
          break;
        case 0x71: // BINPUT
          this.memoPut(this.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.u32());
          break;
        case 0x73: // SETITEM
          this.doSetItems(this.stack.length - 2, 'SETITEM');
          break;
        case 0x74: // TUPLE
          this.push(this.literalTuple(this.popFrom(this.marker())));
          break;
        case 0x75: // SETITEMS
          this.doSetItems(this.marker(), 'SETITEMS');
          break;
        case 0x7d: // EMPTY_DICT
          this.push({ kind: 'dict', entries: [], offset: this.base + at });
          break;
        case 0x29: // EMPTY_TUPLE
          this.push(this.literalTuple([]));
          break;
        case 0x80: {
          // PROTO
          const v = this.u8();
          if (v > HIGHEST_PROTOCOL) this.fail('UNSUPPORTED_VERSION', `unsupported protocol ${v}`);
          if (this.seenProto) this.anomaly('duplicate-proto', `second PROTO ${v} in one stream`);
          if (this.base + at !== info.start) {
            this.anomaly('misplaced-proto', `PROTO ${v} is not the first opcode of its stream`);
          }
          this.seenProto = true;
          this.proto = v;
          info.protocol = v;
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          this.call(cls, args, 'NEWOBJ');
          if (isKnownNonTuple(args)) this.fail('BAD_VALUE', 'NEWOBJ expected an arg tuple');
          if (isKnownNonType(cls)) this.fail('BAD_VALUE', 'NEWOBJ class argument is not a type');
          break;
        }
        case 0x82: // EXT1
          this.ext(this.u8());
          break;
        case 0x83: // EXT2
          this.ext(this.u16());
          break;
        case 0x84: // EXT4
          this.ext(this.i32());
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const count = op - 0x84;
          if (this.stack.length < count) this.fail('BAD_STRUCTURE', 'stack underflow');
          this.push(this.literalTuple(this.popFrom(this.stack.length - count)));
          break;
        }
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x8a: // LONG1
          this.push(decodeLong(this.take(this.u8())));
          break;
        case 0x8b: {
          // LONG4
          const n = this.i32();
          if (n < 0) this.fail('BAD_LENGTH', 'LONG pickle has negative byte count');
          this.push(decodeLong(this.take(n)));
          break;
        }
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.utf8(this.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.utf8(this.len64('BINUNICODE8')));
          break;
        case 0x42: // BINBYTES
          this.push({ kind: 'bytes', value: this.takeBytes(this.u32()), bytearray: false });
          break;
        case 0x43: // SHORT_BINBYTES
          this.push({ kind: 'bytes', value: this.takeBytes(this.u8()), bytearray: false });
          break;
        case 0x8e: // BINBYTES8
          this.push({
            kind: 'bytes',
            value: this.takeBytes(this.len64('BINBYTES8')),
            bytearray: false,
          });
          break;
        case 0x96: // BYTEARRAY8
          this.push({
            kind: 'bytes',
            value: this.takeBytes(this.len64('BYTEARRAY8')),
            bytearray: true,
          });
          break;
        case 0x8f: // EMPTY_SET
          this.push({ kind: 'set', items: [], offset: this.base + at });
          break;
        case 0x90: {
          // ADDITEMS: the C unpickler checks `mark <= 0`, not the fence.
          const mark = this.marker();
          const n = this.stack.length;
          if (mark > n || mark <= 0) this.fail('BAD_STRUCTURE', 'stack underflow');
          if (mark === n) break;
          const target = this.stack[mark - 1] ?? null;
          const items = this.stack.splice(mark);
          this.mutation('ADDITEMS', target, items.length);
          if (isKind(target, 'set')) {
            if (!this.keep(target.items, items)) target.truncated = true;
          } else {
            const call = mutatedCall(target);
            if (call !== undefined && !this.keep((call.items ??= []), items)) call.truncated = true;
          }
          break;
        }
        case 0x91: // FROZENSET
          this.push({
            kind: 'frozenset',
            items: this.popFrom(this.marker()),
            offset: this.base + at,
          });
          break;
        case 0x92: {
          // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          this.call(cls, args, 'NEWOBJ_EX', kwargs);
          if (isKnownNonTuple(args)) this.fail('BAD_VALUE', 'NEWOBJ_EX expected an arg tuple');
          if (isKnownNonType(cls)) this.fail('BAD_VALUE', 'NEWOBJ_EX class is not a type');
          break;
        }
        case 0x93: {
          // STACK_GLOBAL: operands from anywhere (memo, STRING, BINSTRING …), both must be str.
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') {
            this.fail('BAD_VALUE', 'STACK_GLOBAL requires str');
          }
          this.push(this.global(module, name, 'STACK_GLOBAL'));
          break;
        }
        case 0x94: // MEMOIZE: key len(memo), not last key + 1 (bypass O1)
          this.memoPut(this.memoCount);
          break;
        case 0x95: {
          // FRAME: the C unpickler only checks that the frame's bytes exist, then reads on
          // without enforcing the boundary; crossings are recorded (bypass O8).
          const frameLength = this.len64('FRAME', this.lenient);
          if (this.frameEnd >= 0 && this.pos < this.frameEnd) {
            this.anomaly('nested-frame', 'FRAME begins before the previous frame ends');
            // In discard mode a frame that fits in the buffered one leaves the buffer as it is.
            if (this.discard && this.pos + frameLength <= this.frameEnd) break;
            this.leaveFrame();
            if (this.base + this.pos + frameLength > this.totalSize && !this.lenient) {
              this.fail('TRUNCATED', 'pickle data was truncated (FRAME)');
            }
          }
          this.frameEnd = this.pos + frameLength;
          this.declaredEnd = this.frameEnd;
          break;
        }
        case 0x97: // NEXT_BUFFER
          this.anomaly('out-of-band-buffer', 'NEXT_BUFFER needs buffers= at load');
          this.push({ kind: 'buffer', offset: this.base + at });
          break;
        case 0x98: // READONLY_BUFFER
          if (this.stack.length <= this.fence) this.fail('BAD_STRUCTURE', 'stack underflow');
          this.anomaly('out-of-band-buffer', 'READONLY_BUFFER');
          break;
        default:
          this.fail('BAD_OPCODE', `invalid load key 0x${op.toString(16).padStart(2, '0')}`);
      }
      if (at < this.declaredEnd && this.pos > this.declaredEnd && !this.crossedOp) {
        this.anomaly('frame-crossing', `opcode 0x${op.toString(16)} straddles the FRAME end`);
      }
      this.crossedOp = false;
    }
  }

  private nonEmptyLine(): Uint8Array {
    const l = this.line();
    if (l.byteLength < 1 && !this.lenient)
      this.fail('TRUNCATED', 'pickle data was truncated (empty line)');
    return l;
  }

  private persistent(pid: PickleValue, opcode: 'PERSID' | 'BINPERSID'): void {
    // BINPERSID of the very same (shared, immutable) tuple gives the same value: torch writes a
    // storage's id once per tensor on it. Each opcode is still recorded, with the first one's offset.
    const slot = isKind(pid, 'tuple') ? internSlot(pid.items) : -1;
    let p = slot < 0 ? undefined : this.persistentSlots[slot];
    if (p?.pid !== pid || p.opcode !== opcode) {
      p = { kind: 'persistent', pid, opcode, offset: this.base + this.opStart };
      if (slot >= 0) this.persistentSlots[slot] = p;
    }
    this.r.persistent.push(p);
    this.push(p);
  }

  private ext(code: number): void {
    if (code <= 0) this.fail('BAD_VALUE', 'EXT specifies code <= 0');
    // CPython's copyreg._inverted_registry is empty unless a library registers codes at import
    // time; the real unpickler then raises. Decoding goes on: what follows may still run where
    // a code is registered, so it must be judged.
    const e = { kind: 'ext', code, offset: this.base + this.opStart } as const;
    this.r.exts.push(e);
    this.anomaly('unregistered-ext', `extension code ${code} is not in the default registry`);
    this.push(e);
  }

  /** Decodes the object-array pickle nested at `start` (joblib) into a scratch result. */
  private nestedPickle(start: number): { info: PickleStreamInfo; records: PickleDecodeResult } {
    if (this.depth + 1 > MAX_NESTED_PICKLES) {
      this.fail('LIMIT_EXCEEDED', 'joblib object arrays nested too deep');
    }
    const records = emptyDecodeResult(this.base + start);
    const info = decodeOnePickle(
      this.bytes,
      start,
      records,
      this.machineOptions(),
      false,
      this.depth + 1,
    );
    if (!info.complete) {
      if (records.error?.code === 'TRUNCATED' && this.hasMoreInput()) {
        throw new NeedMore(this.opStart, this.bytes.byteLength - this.opStart + this.lookahead);
      }
      mergeRecords(this.r, records);
      throw records.error ?? new FormatError('TRUNCATED', 'nested pickle', this.base + start);
    }
    return { info, records };
  }

  /** After a joblib array wrapper's BUILD: raw bytes to skip, or an embedded object pickle. */
  private joblibPayload(
    skip: { start: number; end: number; nested: boolean; padding: boolean },
    nested: { info: PickleStreamInfo; records: PickleDecodeResult } | undefined,
  ): void {
    if (skip.padding) this.anomaly('joblib-padding', 'joblib alignment padding is not 0xff');
    if (nested === undefined) {
      if (this.base + skip.end > this.totalSize) {
        this.fail('TRUNCATED', 'joblib array data runs past the end of the pickle');
      }
      this.r.skipped.push({
        start: this.base + skip.start,
        end: this.base + skip.end,
        what: 'joblib array data',
      });
      this.pos = skip.end;
      return;
    }
    mergeRecords(this.r, nested.records);
    this.r.streams.push(nested.info);
    this.pos = nested.info.end - this.base;
    this.stack[this.stack.length - 1] = nested.info.root ?? null;
  }

  /** True when the source has bytes after the current window. */
  private hasMoreInput(): boolean {
    return this.base + this.bytes.byteLength < this.totalSize;
  }

  private machineOptions(): PickleDecodeOptions {
    return { ...this.options, base: this.base };
  }
}

/**
 * Thrown inside a windowed decode when an opcode needs bytes past the window: the driver reads
 * a window of at least `size` bytes starting at window index `from` (the opcode's start) and
 * resumes there. It is thrown before the opcode changes any state.
 */
class NeedMore extends Error {
  constructor(
    readonly from: number,
    readonly size: number,
  ) {
    super('window refill');
  }
}

// APPEND and APPENDS (SETITEM and SETITEMS) on one target are one mutation channel.
const SAME_FAMILY: Readonly<Record<PickleMutation['opcode'], PickleMutation['opcode']>> = {
  APPEND: 'APPENDS',
  APPENDS: 'APPEND',
  SETITEM: 'SETITEMS',
  SETITEMS: 'SETITEM',
  ADDITEMS: 'ADDITEMS',
};

/** The intern cache slot of a tuple of these items, or -1 when they are not all shareable. */
function internSlot(items: readonly PickleValue[]): number {
  if (items.length > INTERN_ITEMS) return -1;
  let h = items.length;
  for (const item of items) {
    const part = itemHash(item);
    if (part < 0) return -1;
    h = (Math.imul(h, 31) + part) | 0;
  }
  return h & (INTERN_SLOTS - 1);
}

/** A hash of a shareable tuple item (see literalTuple); -1 for anything else. */
function itemHash(item: PickleValue): number {
  if (item === null) return 1;
  switch (typeof item) {
    case 'boolean':
      return item ? 2 : 3;
    case 'number':
      // -0 === 0: kept apart by not sharing it (ints are never -0 but the check costs nothing).
      return Object.is(item, -0) ? -1 : ((item | 0) ^ ((item / 4294967296) | 0)) >>> 0;
    case 'string':
      return item.length > INTERN_TEXT ? -1 : textHash(item, 5);
    case 'object':
      return item.kind === 'global' ? textHash(item.name, textHash(item.module, 7)) : -1;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      // Big ints are not shared (rare; a hash would have to read their digits).
      return -1;
  }
}

function textHash(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h >>> 0;
}

/** True when two item lists are the same values (strs by content, objects by identity). */
function sameItems(a: readonly PickleValue[], b: readonly PickleValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Appends `src` to `dst` (a spread would overflow the call stack on huge APPENDS). */
function appendAll(dst: PickleValue[], src: readonly PickleValue[]): void {
  for (const item of src) dst.push(item);
}

/** The call object a mutation lands on (through any BUILDs applied to it), if it is one. */
function mutatedCall(target: PickleValue): PyCall | undefined {
  let cur = target;
  // Bounded by the number of BUILD opcodes that wrapped the object.
  while (isKind(cur, 'build')) cur = cur.target;
  return isKind(cur, 'call') ? cur : undefined;
}

const LATIN1 = new TextDecoder('latin1');

/** Bytes `[start, end)` as flat text, byte for byte (code points 0-255, true latin-1). */
function asciiText(bytes: Uint8Array, start: number, end: number): string {
  const parts: string[] = [];
  // apply() takes its arguments on the stack: a few thousand at a time.
  for (let at = start; at < end; at += 4096) {
    const piece = bytes.subarray(at, Math.min(end, at + 4096));
    parts.push(String.fromCharCode.apply(null, piece as unknown as number[]));
  }
  return parts.length === 1 ? (parts[0] ?? '') : parts.join('');
}

/** A plain Uint8Array view: Buffer's subarray is several times slower in the hot loop. */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function latin1(b: Uint8Array): string {
  return LATIN1.decode(b);
}

/** LONG1/LONG4 payload: little-endian two's complement; empty is 0. */
function decodeLong(b: Uint8Array): number | bigint {
  const n = b.byteLength;
  if (n === 0) return 0;
  if (n <= 6) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + (b[i] ?? 0);
    if ((b[n - 1] ?? 0) & 0x80) v -= 2 ** (8 * n);
    return v;
  }
  let hex = '';
  for (let i = n - 1; i >= 0; i--) hex += (b[i] ?? 0).toString(16).padStart(2, '0');
  let v = BigInt(`0x${hex}`);
  if ((b[n - 1] ?? 0) & 0x80) v -= 1n << BigInt(8 * n);
  return normalizeInt(v);
}
