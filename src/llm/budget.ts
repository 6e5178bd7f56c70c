import { LlmError } from './errors.js';
import { itemAt } from '../core/item-at.js';

/** A cap on the number of requests a run may send (retries count); shared by all workers. */
export class RequestBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  /** Takes one request from the budget or throws `budget-exhausted`. */
  take(): void {
    if (this.used >= this.limit) {
      throw new LlmError(
        'budget-exhausted',
        `request budget of ${this.limit} exhausted (raise --max-requests, or resume with --log)`,
      );
    }
    this.used++;
  }

  get spent(): number {
    return this.used;
  }
}

/**
 * Runs `work` over `items` with at most `concurrency` calls in flight and keeps the results in
 * item order. The first error stops new work and is thrown once the calls in flight settle.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(itemAt(items, index), index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
  );
  if (failure !== undefined) throw failure.error;
  return results;
}
