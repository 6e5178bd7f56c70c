import { parentPort, Worker } from 'node:worker_threads';
import { FormatError, type FormatErrorCode } from '../core/errors.js';

/** What crosses into the worker: the caller's request with an id. */
interface Envelope<Request> {
  readonly id: number;
  readonly request: Request;
}

/** What comes back: the result, or the FormatError the decoder hit. */
type Reply<Result> =
  | { readonly id: number; readonly ok: true; readonly result: Result }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: FormatErrorCode;
      readonly message: string;
      readonly offset: number;
    };

/**
 * Runs a decoder that cannot be interrupted on the main thread (a WebAssembly library: a hostile
 * HDF5 file makes h5wasm loop forever) in a worker thread with a wall-clock limit. One worker per
 * instance is reused across requests, replaced when a request times out or the worker dies, and
 * unref'd while idle so it never keeps the process alive. Requests are queued one at a time.
 */
export class BoundedWorker<Request, Result> {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  constructor(
    /** The compiled worker module, which calls `serveRequests`. */
    private readonly script: URL,
    /** Names the decoder in error messages ('HDF5 reader', '7z reader'). */
    private readonly what: string,
  ) {}

  /**
   * Sends `request` and resolves with the worker's result. Rejects with the decoder's FormatError,
   * LIMIT_EXCEEDED after `timeoutMs` (the worker is terminated), or BAD_STRUCTURE if it dies.
   */
  run(request: Request, timeoutMs: number): Promise<Result> {
    // The limit runs from this call: time spent queued behind another request counts, so a file
    // waiting for a worker busy with a hostile one still ends at its own deadline.
    const deadline = Date.now() + timeoutMs;
    const run = this.queue.then(() => this.send(request, deadline - Date.now()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private send(request: Request, timeoutMs: number): Promise<Result> {
    this.worker ??= new Worker(this.script);
    const worker = this.worker;
    worker.ref();
    const id = ++this.nextId;
    return new Promise<Result>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        worker.unref();
      };
      const fail = (error: FormatError): void => {
        done();
        if (this.worker === worker) this.worker = undefined;
        void worker.terminate();
        reject(error);
      };
      const onMessage = (reply: Reply<Result>): void => {
        if (reply.id !== id) return;
        done();
        if (reply.ok) resolve(reply.result);
        else reject(new FormatError(reply.code, reply.message, reply.offset));
      };
      const onError = (error: Error): void => {
        fail(
          new FormatError('BAD_STRUCTURE', `${this.what} failed: ${error.message}`, 0, {
            cause: error,
          }),
        );
      };
      const onExit = (code: number): void => {
        fail(new FormatError('BAD_STRUCTURE', `${this.what} exited (${code})`, 0));
      };
      const timer = setTimeout(
        () => {
          fail(
            new FormatError('LIMIT_EXCEEDED', `${this.what} took longer than ${timeoutMs} ms`, 0),
          );
        },
        Math.max(1, timeoutMs),
      );
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      const envelope: Envelope<Request> = { id, request };
      worker.postMessage(envelope);
    });
  }
}

/**
 * The worker side: answers each request with `handle`'s result, or with the FormatError it threw
 * (anything else becomes BAD_STRUCTURE). Call it once at the top of a worker module.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the explicit type arguments at each call site tie the handler to its BoundedWorker's types
export function serveRequests<Request, Result>(
  handle: (request: Request) => Promise<Result>,
): void {
  parentPort?.on('message', (envelope: Envelope<Request>) => {
    const reply = (message: Reply<Result>): void => {
      parentPort?.postMessage(message);
    };
    handle(envelope.request).then(
      (result) => {
        reply({ id: envelope.id, ok: true, result });
      },
      (error: unknown) => {
        const e =
          error instanceof FormatError ? error : new FormatError('BAD_STRUCTURE', String(error), 0);
        reply({ id: envelope.id, ok: false, code: e.code, message: e.message, offset: e.offset });
      },
    );
  });
}
