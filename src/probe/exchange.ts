import { connect, type Socket } from 'node:net';

/** How one exchange ended. */
export type ExchangeEnd =
  /** The expected number of bytes arrived (the socket is closed right after). */
  | 'enough'
  /** The peer closed the connection (FIN). */
  | 'eof'
  /** The peer reset the connection (RST). */
  | 'reset'
  /** Nothing more arrived before the step's time box ran out. */
  | 'timeout'
  /** The peer sent more than the step may keep: it is not the protocol we speak. */
  | 'overflow'
  /** No connection was made (see `connectError`). */
  | 'no-connection';

/** The outcome of one request/response exchange on a fresh connection. */
export interface ExchangeResult {
  readonly end: ExchangeEnd;
  /** What the peer sent, at most `maxBytes` bytes. */
  readonly received: Uint8Array;
  /** Why no connection was made: 'refused', 'timeout', 'unreachable', 'reset' or an errno code. */
  readonly connectError?: string;
  readonly elapsedMs: number;
}

/** One exchange: connect, send `send` in one write, read until `expect` bytes or the end. */
export interface ExchangeRequest {
  readonly host: string;
  readonly port: number;
  /** The whole request, written at once; never more, so no request is left half sent. */
  readonly send: Uint8Array;
  /** Stop reading (and close) as soon as this many bytes arrived. */
  readonly expect: number;
  /** Most bytes kept; a peer sending more ends the exchange as 'overflow' (bounded memory). */
  readonly maxBytes: number;
  /** Time box of the whole step, connect included, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Bytes to send after `first` bytes arrived, on the same connection (a follow-up read such as
   * GETNUMKEYS after a PING echo); `expect` then counts bytes after the first answer.
   */
  readonly followUp?: { readonly after: Uint8Array; readonly send: Uint8Array };
}

/**
 * Runs one exchange on a new TCP connection and closes it: after the expected bytes, at the end
 * of the time box, on EOF, reset or overflow. Never throws; never keeps more than `maxBytes`.
 */
export function exchange(request: ExchangeRequest): Promise<ExchangeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const buffer = new Uint8Array(request.maxBytes);
    let length = 0;
    let connected = false;
    let settled = false;
    let phase: 'first' | 'follow' = request.followUp === undefined ? 'follow' : 'first';
    let phaseStart = 0;
    // Set once connected; finish() may run before (a connect error), so it is looked up there.
    const held: { socket?: Socket } = {};
    const finish = (end: ExchangeEnd, connectError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // destroy() closes at once: no half-read request, no lingering connection.
      held.socket?.destroy();
      resolve({
        end,
        received: buffer.slice(0, length),
        ...(connectError === undefined ? {} : { connectError }),
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(() => {
      finish(connected ? 'timeout' : 'no-connection', connected ? undefined : 'timeout');
    }, request.timeoutMs);
    let s: Socket;
    try {
      s = connect({ host: request.host, port: request.port });
    } catch (error) {
      finish('no-connection', errorCode(error));
      return;
    }
    held.socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      connected = true;
      s.write(request.send);
    });
    s.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (length + chunk.length > request.maxBytes) {
        buffer.set(chunk.subarray(0, request.maxBytes - length), length);
        length = request.maxBytes;
        finish('overflow');
        return;
      }
      buffer.set(chunk, length);
      length += chunk.length;
      const follow = request.followUp;
      if (phase === 'first' && follow !== undefined) {
        if (length < follow.after.length) return;
        const head = buffer.subarray(0, follow.after.length);
        if (length > follow.after.length || !sameBytes(head, follow.after)) {
          finish('enough');
          return;
        }
        phase = 'follow';
        phaseStart = length;
        s.write(follow.send);
        return;
      }
      if (length - phaseStart >= request.expect) finish('enough');
    });
    s.on('end', () => {
      finish('eof');
    });
    s.on('error', (error: NodeJS.ErrnoException) => {
      // A reset before 'connect' fired still means the handshake completed (a closed port
      // refuses instead): the peer accepted and reset, which is an answer of its own.
      if (!connected && error.code !== 'ECONNRESET') finish('no-connection', errorCode(error));
      else finish(error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : 'eof');
    });
    s.on('close', () => {
      finish(connected ? 'eof' : 'no-connection', connected ? undefined : 'closed');
    });
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    default:
      return typeof code === 'string' ? code : error instanceof Error ? error.message : 'error';
  }
}
