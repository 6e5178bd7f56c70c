import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces requests evenly at `perSecond` requests per second across all workers: each caller
 * takes the next free slot and waits for it, so bursts never exceed one request per interval.
 */
export class RateLimiter {
  private next = 0;
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller's slot comes. */
  async wait(): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}
