// node:zlib for the web bundle (scripts/build-web.mjs maps the import here): the few calls the
// decoders make (bounded one-shot inflate, streaming inflate, CRC-32) over fflate, a pure
// JavaScript DEFLATE. Errors carry node's codes so the decoders' error mapping stays the same.
import { Gunzip, Inflate, Unzlib } from 'fflate';

type Inflater = Inflate | Unzlib | Gunzip;

type Framing = 'raw' | 'zlib' | 'gzip';

function makeInflater(framing: Framing): Inflater {
  return framing === 'raw' ? new Inflate() : framing === 'zlib' ? new Unzlib() : new Gunzip();
}

/** fflate reports a stream that ends early as "unexpected EOF" (code 0): node says Z_BUF_ERROR. */
function nodeError(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const out = new Error(message) as Error & { code?: string };
  out.code = code === 0 ? 'Z_BUF_ERROR' : 'Z_DATA_ERROR';
  return out;
}

function inflateAll(framing: Framing, input: Uint8Array, maxOutputLength: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const state = { ended: false };
  const inflater = makeInflater(framing);
  inflater.ondata = (chunk, final) => {
    total += chunk.byteLength;
    if (total > maxOutputLength) throw new RangeError(`output exceeds ${maxOutputLength} bytes`);
    parts.push(chunk);
    if (final) state.ended = true;
  };
  try {
    inflater.push(input, true);
  } catch (error) {
    if (error instanceof RangeError) throw error;
    throw nodeError(error);
  }
  if (!state.ended) throw nodeError(Object.assign(new Error('unexpected EOF'), { code: 0 }));
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

interface Opts {
  readonly maxOutputLength?: number;
}

/** node's inflateRawSync with maxOutputLength. */
export function inflateRawSync(input: Uint8Array, opts: Opts = {}): Uint8Array {
  return inflateAll('raw', input, opts.maxOutputLength ?? Number.POSITIVE_INFINITY);
}

/** node's inflateSync with maxOutputLength. */
export function inflateSync(input: Uint8Array, opts: Opts = {}): Uint8Array {
  return inflateAll('zlib', input, opts.maxOutputLength ?? Number.POSITIVE_INFINITY);
}

/** node's gunzipSync with maxOutputLength. */
export function gunzipSync(input: Uint8Array, opts: Opts = {}): Uint8Array {
  return inflateAll('gzip', input, opts.maxOutputLength ?? Number.POSITIVE_INFINITY);
}

type Listener = (...args: unknown[]) => void;

/**
 * The part of node's zlib Transform the decoders use: write, end, destroy and the data, drain,
 * end, close and error events. Data is emitted while `write` runs; end, close and error a
 * microtask later, as a stream would.
 */
export class InflateStream {
  private readonly listeners = new Map<string, { fn: Listener; once: boolean }[]>();
  private readonly inflater: Inflater;
  private done = false;

  constructor(framing: Framing) {
    this.inflater = makeInflater(framing);
    this.inflater.ondata = (chunk, final) => {
      if (this.done) return;
      this.emit('data', chunk);
      if (final && !this.isDone()) {
        this.done = true;
        queueMicrotask(() => {
          this.emit('end');
          this.emit('close');
        });
      }
    };
  }

  on(event: string, fn: Listener): this {
    return this.add(event, fn, false);
  }

  once(event: string, fn: Listener): this {
    return this.add(event, fn, true);
  }

  off(event: string, fn: Listener): this {
    const list = this.listeners.get(event);
    if (list !== undefined) {
      this.listeners.set(
        event,
        list.filter((l) => l.fn !== fn),
      );
    }
    return this;
  }

  removeListener(event: string, fn: Listener): this {
    return this.off(event, fn);
  }

  write(chunk: Uint8Array): boolean {
    if (this.done) return true;
    try {
      this.inflater.push(chunk, false);
    } catch (error) {
      this.destroy(nodeError(error));
    }
    return true;
  }

  end(): void {
    if (this.done) return;
    try {
      this.inflater.push(new Uint8Array(0), true);
    } catch (error) {
      this.destroy(nodeError(error));
      return;
    }
    if (!this.isDone())
      this.destroy(nodeError(Object.assign(new Error('unexpected EOF'), { code: 0 })));
  }

  destroy(error?: Error): this {
    if (this.done) return this;
    this.done = true;
    queueMicrotask(() => {
      if (error !== undefined) this.emit('error', error);
      this.emit('close');
    });
    return this;
  }

  // A method, so the checks after an emit (whose listeners may destroy the stream) are not narrowed.
  private isDone(): boolean {
    return this.done;
  }

  private add(event: string, fn: Listener, once: boolean): this {
    const list = this.listeners.get(event) ?? [];
    list.push({ fn, once });
    this.listeners.set(event, list);
    return this;
  }

  private emit(event: string, ...args: unknown[]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    this.listeners.set(
      event,
      list.filter((l) => !l.once),
    );
    for (const l of list) l.fn(...args);
  }
}

/** node's createInflateRaw. */
export function createInflateRaw(): InflateStream {
  return new InflateStream('raw');
}

/** node's createInflate. */
export function createInflate(): InflateStream {
  return new InflateStream('zlib');
}

/** node's createGunzip. */
export function createGunzip(): InflateStream {
  return new InflateStream('gzip');
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** node's crc32(data, value): CRC-32 (ISO-HDLC) continued from `value`. */
export function crc32(data: Uint8Array, value = 0): number {
  let c = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.byteLength; i++) {
    c = (CRC_TABLE[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
