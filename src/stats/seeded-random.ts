import { createHmac } from 'node:crypto';

/**
 * A deterministic random stream keyed by a secret seed: HMAC-SHA256(seed, label || counter) blocks.
 * The same seed and label give the same stream on every machine; without the seed the stream
 * cannot be reproduced, which is why the seed never goes into a file the stream produced.
 */
export class SeededRandom {
  private buffer = Buffer.alloc(0);
  private offset = 0;
  private counter = 0;

  constructor(
    private readonly seed: string,
    private readonly label: string,
  ) {}

  private refill(): void {
    const mac = createHmac('sha256', this.seed);
    mac.update(`${this.label}\u0000${this.counter++}`);
    this.buffer = mac.digest();
    this.offset = 0;
  }

  /** 32 random bits as an unsigned integer. */
  uint32(): number {
    if (this.offset + 4 > this.buffer.length) this.refill();
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  /** A uniform integer in [0, n) without modulo bias (rejection sampling). */
  below(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0 || n > 0x1_0000_0000) {
      throw new RangeError(`below(n) needs 0 < n <= 2^32, got ${n}`);
    }
    const limit = Math.floor(0x1_0000_0000 / n) * n;
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % n;
    }
  }

  /** A uniform float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }
}
