import { parentPort, type Worker } from 'node:worker_threads';
import { FormatError, type FormatErrorCode } from '../core/errors.js';
import { startWorker } from '../core/worker-options.js';

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

/** Workers kept at most at once per decoder; more requests wait for one to come free. */
const MAX_WORKERS = 4;

/**
 * Runs a decoder that cannot be interrupted on the main thread (a WebAssembly library: a hostile
 * HDF5 file makes h5wasm loop forever) in worker threads with a wall-clock limit. Workers are
 * reused across requests, replaced when a request times out or the worker dies, and unref'd while
 * idle so they never keep the process alive. Up to MAX_WORKERS requests run at once, so a file
 * that runs into its limit does not hold back the files scanned beside it.
 */
export class BoundedWorker<Request, Result> {
  private readonly idle: Worker[] = [];
  private running = 0;
  private readonly waiting: (() => void)[] = [];
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
  async run(request: Request, timeoutMs: number): Promise<Result> {
    // The limit runs from this call: waiting for a free worker counts, so a request queued behind
    // MAX_WORKERS hostile files still ends at its own deadline.
    const deadline = Date.now() + timeoutMs;
    if (this.running >= MAX_WORKERS) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running += 1;
    try {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new FormatError(
          'LIMIT_EXCEEDED',
          `${this.what} took longer than ${timeoutMs} ms (waiting for a free worker)`,
          0,
        );
      }
      return await this.send(request, left, timeoutMs);
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }

  private take(): Worker {
    let worker = this.idle.pop();
    if (worker === undefined) {
      const created = startWorker(this.script);
      // A worker that dies while idle must not be handed out again.
      created.once('exit', () => {
        const at = this.idle.indexOf(created);
        if (at >= 0) this.idle.splice(at, 1);
      });
      worker = created;
    }
    worker.ref();
    return worker;
  }

  private release(worker: Worker): void {
    worker.unref();
    this.idle.push(worker);
  }

  private send(request: Request, timeoutMs: number, budgetMs: number): Promise<Result> {
    const worker = this.take();
    const id = ++this.nextId;
    return new Promise<Result>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const fail = (error: FormatError): void => {
        done();
        void worker.terminate();
        reject(error);
      };
      const onMessage = (reply: Reply<Result>): void => {
        if (reply.id !== id) return;
        done();
        this.release(worker);
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
      const timer = setTimeout(() => {
        fail(new FormatError('LIMIT_EXCEEDED', `${this.what} took longer than ${budgetMs} ms`, 0));
      }, timeoutMs);
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
