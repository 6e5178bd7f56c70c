import { parentPort } from 'node:worker_threads';
import { FormatError } from '../../core/errors.js';
import { readSevenZipInProcess, type SevenZipResult } from './read-archive.js';

/** A request from `readSevenZip`. */
export interface SevenZipRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly limits: { maxInputBytes: number; maxEntries: number };
  readonly maxExtractBytes: number;
}

/** The worker's answer: the archive's content, or the FormatError it hit. */
export type SevenZipReply =
  | { readonly id: number; readonly ok: true; readonly result: SevenZipResult }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: FormatError['code'];
      readonly message: string;
      readonly offset: number;
    };

// Requests arrive one at a time (the caller queues them); each is answered with its id.
parentPort?.on('message', (request: SevenZipRequest) => {
  readSevenZipInProcess(request.bytes, request.limits, request.maxExtractBytes).then(
    (result) => {
      const reply: SevenZipReply = { id: request.id, ok: true, result };
      parentPort?.postMessage(reply);
    },
    (error: unknown) => {
      const e =
        error instanceof FormatError ? error : new FormatError('BAD_STRUCTURE', String(error), 0);
      const reply: SevenZipReply = {
        id: request.id,
        ok: false,
        code: e.code,
        message: e.message,
        offset: e.offset,
      };
      parentPort?.postMessage(reply);
    },
  );
});
