// node:events for the web bundle: `once`, as the zip decoder awaits the end of an inflate stream.

interface Emitter {
  once(event: string, fn: (...args: unknown[]) => void): unknown;
  off(event: string, fn: (...args: unknown[]) => void): unknown;
}

/** Resolves with the event's arguments; rejects on 'error' first. */
export function once(emitter: Emitter, event: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const onError = (...args: unknown[]): void => {
      emitter.off(event, onEvent);
      reject(args[0] instanceof Error ? args[0] : new Error(String(args[0])));
    };
    const onEvent = (...args: unknown[]): void => {
      emitter.off('error', onError);
      resolve(args);
    };
    emitter.once(event, onEvent);
    if (event !== 'error') emitter.once('error', onError);
  });
}
