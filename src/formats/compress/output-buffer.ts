import { FormatError } from '../../core/errors.js';

// From this cap up, the whole buffer is allocated at once (see the constructor).
const LAZY_ALLOCATION = 16 * 1024 * 1024;

// Date.now() is not free: the deadline is checked once per MiB of output.
const CLOCK_EVERY = 1 << 20;

/**
 * A growing output buffer that refuses to pass `cap` bytes (LIMIT_EXCEEDED at `offset`), for
 * decoders that produce output byte by byte (bzip2, LZMA, LZ4). It doubles its storage, so
 * memory stays within 2 × the bytes actually produced.
 */
export class CappedOutput {
  private buf: Uint8Array;
  length = 0;

  constructor(
    private readonly cap: number,
    private readonly offset: number,
    initial = 64 * 1024,
    /** Epoch milliseconds; checked at every growth of the buffer and every MiB written. */
    private readonly deadline = Number.POSITIVE_INFINITY,
  ) {
    // Large caps are allocated at once: the pages of a zeroed buffer are committed as they are
    // written, so memory follows the output and growth never copies (no 1.5x peak).
    this.buf = new Uint8Array(Math.max(16, cap >= LAZY_ALLOCATION ? cap : Math.min(initial, cap)));
  }

  private nextClockCheck = CLOCK_EVERY;

  private checkClock(): void {
    this.nextClockCheck = this.length + CLOCK_EVERY;
    if (Date.now() > this.deadline) {
      throw new FormatError(
        'LIMIT_EXCEEDED',
        'the time budget ran out while decompressing',
        this.offset,
      );
    }
  }

  /** Appends one byte. */
  push(byte: number): void {
    if (this.length >= this.buf.byteLength) this.grow(this.length + 1);
    if (this.length >= this.nextClockCheck) this.checkClock();
    this.buf[this.length++] = byte;
  }

  /** Appends `bytes`. */
  append(bytes: Uint8Array): void {
    const end = this.length + bytes.byteLength;
    if (end > this.buf.byteLength) this.grow(end);
    this.buf.set(bytes, this.length);
    this.length = end;
    if (this.length >= this.nextClockCheck) this.checkClock();
  }

  /**
   * Copies `count` bytes starting `distance` bytes back (1 = the last byte), byte by byte so an
   * overlapping copy repeats, as LZ77 requires. Throws BAD_STRUCTURE when `distance` reaches
   * before the start of the output.
   */
  copyBack(distance: number, count: number): void {
    if (distance < 1 || distance > this.length) {
      throw new FormatError(
        'BAD_STRUCTURE',
        `match distance ${distance} before the start`,
        this.offset,
      );
    }
    const end = this.length + count;
    if (end > this.buf.byteLength) this.grow(end);
    const b = this.buf;
    let from = this.length - distance;
    for (let i = this.length; i < end; i++) b[i] = b[from++] ?? 0;
    this.length = end;
    if (this.length >= this.nextClockCheck) this.checkClock();
  }

  /** The byte `distance` back (1 = the last one), or 0 before the start. */
  back(distance: number): number {
    return this.buf[this.length - distance] ?? 0;
  }

  /** The output so far (a view, no copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  private grow(needed: number): void {
    if (needed > this.cap) {
      throw new PartialOutputError(
        'LIMIT_EXCEEDED',
        `decompressed output exceeds ${this.cap} bytes`,
        this.offset,
        this.buf.subarray(0, this.length),
      );
    }
    let size = this.buf.byteLength;
    while (size < needed) size *= 2;
    const next = new Uint8Array(Math.min(size, this.cap));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/**
 * A decoder stopped by a limit (LIMIT_EXCEEDED) or a cut-off or corrupt stream, carrying the
 * output it produced before, so what lies before the stop can still be parsed.
 */
export class PartialOutputError extends FormatError {
  constructor(
    code: ConstructorParameters<typeof FormatError>[0],
    message: string,
    offset: number,
    /** The decoded bytes before the stop (a view of the decoder's buffer). */
    readonly partial: Uint8Array,
  ) {
    super(code, message, offset);
  }
}
