import { exchange, type ExchangeResult } from './exchange.js';

// The exact bytes of the staged probe (docs/probe.md). Little-endian throughout.
/** Stage A: pre-2.1 GETNUMKEYS (query type 6, no arguments). */
export const STAGE_A = Uint8Array.of(0x06);
/**
 * Stage B: VALIDATE (type 0 + u32 magic 0x3C85F7CE) then PING (type 13 + u32 nonce). The nonce's
 * third byte is non-zero on purpose: should a pre-2.1 store ever read these bytes, `00` is SET and
 * the key length u64 0xa522110d3c85f7ce fails its allocation at once and resets the connection
 * instead of waiting for 57 GB of key (a partial request would stall its single-threaded daemon).
 */
export const STAGE_B = Uint8Array.of(0x00, 0xce, 0xf7, 0x85, 0x3c, 0x0d, 0x11, 0x22, 0xa5, 0x5a);
/** The PING nonce stage B expects echoed. */
export const PING_NONCE = Uint8Array.of(0x11, 0x22, 0xa5, 0x5a);
/** Sent after the PING echo on the same (validated) connection: 2.x GETNUMKEYS (type 7). */
export const VALIDATED_GETNUMKEYS = Uint8Array.of(0x07);
/** Stage C: VALIDATE then 2.x GETNUMKEYS, for a validated store without PING. */
export const STAGE_C = Uint8Array.of(0x00, 0xce, 0xf7, 0x85, 0x3c, 0x07);

/** The torch generation a TCPStore answered as. */
export type TorchEra =
  /** Answered GETNUMKEYS without a handshake: torch ≤ 2.0 (no VALIDATE). */
  | 'pre-2.1'
  /** Required VALIDATE and echoed PING: current torch. */
  | 'ping'
  /** Required VALIDATE, no PING: torch 2.1 onwards, before PING. */
  | 'validated';

/** Which 2.x server backend the first stage's behaviour points to. */
export type StoreBackend = 'legacy' | 'libuv' | 'unknown';

/** One stage as run: what was sent and how the peer answered. */
export interface StageRecord {
  readonly stage: 'A' | 'B' | 'C';
  /** Hex of the bytes sent (the follow-up GETNUMKEYS included). */
  readonly sent: string;
  readonly end: ExchangeResult['end'];
  /** Hex of what came back (at most 64 bytes). */
  readonly received: string;
  readonly elapsedMs: number;
}

/** The verdict of the staged TCPStore probe on one endpoint. */
export interface TcpStoreProbe {
  /** 'tcpstore' when a stage answered as a TCPStore does. */
  readonly kind: 'tcpstore' | 'closed' | 'not-tcpstore' | 'silent' | 'unreachable';
  readonly era?: TorchEra;
  readonly backend?: StoreBackend;
  /** Keys the store counted for an unauthenticated client (the read it accepted). */
  readonly numKeys?: number;
  readonly connectError?: string;
  readonly stages: readonly StageRecord[];
}

/** Options of the probe: the time box of each stage. */
export interface TcpStoreProbeOptions {
  readonly timeoutMs: number;
}

// A TCPStore answer is 8 or 4 bytes; anything past 64 bytes is another protocol talking.
const MAX_STAGE_BYTES = 64;

/**
 * Runs the staged read-only TCPStore probe on `host:port`, one connection at a time: stage A
 * (pre-2.1 GETNUMKEYS); only if A got no byte back, stage B (VALIDATE + PING, and GETNUMKEYS after
 * the echo); only if B was closed without a reply, stage C (VALIDATE + GETNUMKEYS). Every stage
 * writes one complete request, reads at most 64 bytes and closes within `timeoutMs`. No stage
 * writes to the store. Never throws.
 */
export async function probeTcpStore(
  host: string,
  port: number,
  options: TcpStoreProbeOptions,
): Promise<TcpStoreProbe> {
  const stages: StageRecord[] = [];
  const run = async (
    stage: StageRecord['stage'],
    send: Uint8Array,
    expect: number,
    followUp?: { after: Uint8Array; send: Uint8Array },
  ): Promise<ExchangeResult> => {
    const result = await exchange({
      host,
      port,
      send,
      expect,
      maxBytes: MAX_STAGE_BYTES,
      timeoutMs: options.timeoutMs,
      ...(followUp === undefined ? {} : { followUp }),
    });
    stages.push({
      stage,
      sent: hex(followUp === undefined ? send : concat(send, followUp.send), result, followUp),
      end: result.end,
      received: toHex(result.received),
      elapsedMs: result.elapsedMs,
    });
    return result;
  };
  const a = await run('A', STAGE_A, 8);
  if (a.end === 'no-connection') {
    const refused = a.connectError === 'refused';
    return {
      kind: refused ? 'closed' : 'unreachable',
      ...(a.connectError === undefined ? {} : { connectError: a.connectError }),
      stages,
    };
  }
  if (a.received.length > 0) {
    const count = keyCount(a);
    if (count !== undefined) return { kind: 'tcpstore', era: 'pre-2.1', numKeys: count, stages };
    return { kind: 'not-tcpstore', stages };
  }
  // No byte back: a 2.x legacy backend closes on a first query that is not VALIDATE, libuv
  // ignores it; anything else may also be silent (an HTTP server waiting for a line).
  const backend: StoreBackend = a.end === 'timeout' ? 'libuv' : 'legacy';
  const b = await run('B', STAGE_B, 8, { after: PING_NONCE, send: VALIDATED_GETNUMKEYS });
  if (b.received.length >= PING_NONCE.length && startsWith(b.received, PING_NONCE)) {
    const rest = { end: b.end, received: b.received.subarray(PING_NONCE.length) };
    const count = keyCount(rest);
    return {
      kind: 'tcpstore',
      era: 'ping',
      backend,
      ...(count === undefined ? {} : { numKeys: count }),
      stages,
    };
  }
  if (b.received.length > 0) return { kind: 'not-tcpstore', stages };
  if (b.end === 'no-connection') {
    return {
      kind: 'unreachable',
      ...(b.connectError === undefined ? {} : { connectError: b.connectError }),
      stages,
    };
  }
  if (b.end !== 'eof' && b.end !== 'reset') return { kind: 'silent', stages };
  const c = await run('C', STAGE_C, 8);
  const count = keyCount(c);
  if (count !== undefined)
    return { kind: 'tcpstore', era: 'validated', backend, numKeys: count, stages };
  return { kind: c.received.length > 0 ? 'not-tcpstore' : 'silent', stages };
}

/**
 * The key count of an 8-byte i64 answer, or undefined when the answer is not one: exactly eight
 * bytes and a count below 2^32 (a store holding four billion keys is not one we will meet; a
 * banner or text read as an i64 is).
 */
function keyCount(result: {
  end: ExchangeResult['end'];
  received: Uint8Array;
}): number | undefined {
  if (result.received.length !== 8 || result.end !== 'enough') return undefined;
  const view = new DataView(
    result.received.buffer,
    result.received.byteOffset,
    result.received.byteLength,
  );
  const high = view.getUint32(4, true);
  if (high !== 0) return undefined;
  return view.getUint32(0, true);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.every((x, i) => bytes[i] === x);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// The follow-up is only sent when the echo came back: record only what was really sent.
function hex(
  all: Uint8Array,
  result: ExchangeResult,
  followUp: { after: Uint8Array; send: Uint8Array } | undefined,
): string {
  if (followUp === undefined) return toHex(all);
  const echoed =
    result.received.length >= followUp.after.length && startsWith(result.received, followUp.after);
  return toHex(echoed ? all : all.subarray(0, all.length - followUp.send.length));
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
