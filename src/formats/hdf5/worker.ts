import { parentPort } from 'node:worker_threads';
import { FormatError } from '../../core/errors.js';
import { readHdf5RootAttributesInProcess } from './read-attributes.js';

/** A request from `readHdf5RootAttributes`. */
export interface Hdf5Request {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly wanted: readonly string[];
  readonly limits: { maxInputBytes: number; maxEntries: number; maxTextBytes: number };
}

/** The worker's answer: the attributes, or the FormatError it hit. */
export type Hdf5Reply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly names: readonly string[];
      readonly text: readonly [string, string][];
    }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: FormatError['code'];
      readonly message: string;
      readonly offset: number;
    };

// Requests arrive one at a time (the caller queues them); each is answered with its id.
parentPort?.on('message', (request: Hdf5Request) => {
  readHdf5RootAttributesInProcess(request.bytes, request.wanted, request.limits).then(
    (attrs) => {
      const reply: Hdf5Reply = {
        id: request.id,
        ok: true,
        names: attrs.names,
        text: [...attrs.text],
      };
      parentPort?.postMessage(reply);
    },
    (error: unknown) => {
      const e =
        error instanceof FormatError ? error : new FormatError('BAD_STRUCTURE', String(error), 0);
      const reply: Hdf5Reply = {
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
