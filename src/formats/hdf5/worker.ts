import { serveRequests } from '../bounded-worker.js';
import { readHdf5RootAttributesInProcess } from './read-attributes.js';

/** A request from `readHdf5RootAttributes`. */
export interface Hdf5Request {
  readonly bytes: Uint8Array;
  readonly wanted: readonly string[];
  readonly limits: { maxInputBytes: number; maxEntries: number; maxTextBytes: number };
}

/** The attributes as they cross back (a Map does not survive structured clone as typed). */
export interface Hdf5Result {
  readonly names: readonly string[];
  readonly text: readonly [string, string][];
}

serveRequests<Hdf5Request, Hdf5Result>(async (request) => {
  const attrs = await readHdf5RootAttributesInProcess(
    request.bytes,
    request.wanted,
    request.limits,
  );
  return { names: attrs.names, text: [...attrs.text] };
});
